"""Item pipelines, one stage per module, in this order: validate → normalise → deduplicate →
store. A stage that refuses an item raises `pipelines.drops.SkipDrop`; the store stage records
every such drop in the archive's `skips` table and counts it as ``newsarchive/skipped/<reason>``.

The stages' pure functions (`validate.problems`, `normalise.normalise`, `deduplicate.Seen`) are
also what the crawl's worker process runs on each page (`newsarchive.crawl.chain`), and the
worker never imports Scrapy: these modules import it only where a pipeline needs it.
"""
