"""`make bench`: the figures that say where newsarchive stands (bench/README.md)."""
