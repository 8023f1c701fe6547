-- Applied migrations, one row per version (FINAL collapses records written by racing runners).
SELECT version, checksum
FROM schema_migrations FINAL
ORDER BY version
