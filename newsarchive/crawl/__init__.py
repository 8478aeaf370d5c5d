"""The crawl: the spider base every site module builds on, its policies, and the run it owns."""
