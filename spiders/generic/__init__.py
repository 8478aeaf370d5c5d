"""Any news site from a profile: discovery of its feeds and sitemaps, and the generic spider.

Discovery is pure (text in, entries out, no I/O), one module per source of links:

- `entries`: `Entry`, one article link with the dates its source gives;
- `urls`: article URLs folded onto one key (tracking parameters, AMP variants dropped);
- `robots`: the ``Sitemap:`` lines of robots.txt;
- `discovery`: a home or section page's feed links and article links;
- `sitemaps`: sitemap indexes, urlsets and Google News sitemaps (gzip or not);
- `feeds`: RSS 1.0/2.0 and Atom entries (feedparser);
- `plan`: which sitemap to walk and which entry to fetch, as pure decisions;
- `profile`: the profile a run crawls (the catalogue's, one named in the sites file, a bare root);
- `spider`: `GenericSpider`, which crawls a profile site with them.
"""
