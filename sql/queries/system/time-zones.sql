-- Every time zone the engine knows, spelled as it spells them.
SELECT time_zone FROM system.time_zones
