-- Search everywhere (decision 0035). One text search configuration, `laneway_search`: the
-- `simple` one (lowercase, no stemming, no stop words: tickets mix languages, names and codes)
-- with the `unaccent` dictionary in front of it for words, so "resume" finds "Résumé". It is used
-- for the documents and for the queries alike, and `to_tsvector` with a constant configuration
-- is IMMUTABLE, so no wrapper function around `unaccent()` is needed to store or index it.
--
-- `unaccent` is a trusted extension in postgresql-contrib (Debian's server package, the official
-- images and embedded-postgres ship it). Where it is missing, search still works, accent-sensitive.
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS unaccent;
EXCEPTION WHEN others THEN
  RAISE NOTICE 'unaccent is not available (%): search will be accent-sensitive', SQLERRM;
END $$;
--> statement-breakpoint
CREATE TEXT SEARCH CONFIGURATION laneway_search (COPY = pg_catalog.simple);
--> statement-breakpoint
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_ts_dict WHERE dictname = 'unaccent') THEN
    ALTER TEXT SEARCH CONFIGURATION laneway_search
      ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
  END IF;
END $$;
--> statement-breakpoint
-- Stored generated tsvector columns with GIN indexes (decision 0035 has the measurements: matching
-- and ranking read the stored vector instead of parsing the text again for every candidate row).
-- They are kept out of the drizzle schema on purpose: they depend on laneway_search above, and
-- the API never reads them but through services/search.ts.
-- A ticket: title (A), description (B), the string values of its custom fields (C).
ALTER TABLE tickets ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('laneway_search'::regconfig, title), 'A') ||
  setweight(to_tsvector('laneway_search'::regconfig, description), 'B') ||
  setweight(to_tsvector('laneway_search'::regconfig, fields), 'C')) STORED;
--> statement-breakpoint
CREATE INDEX tickets_search_idx ON tickets USING gin (search_vector);
--> statement-breakpoint
ALTER TABLE comments ADD COLUMN search_vector tsvector
  GENERATED ALWAYS AS (to_tsvector('laneway_search'::regconfig, body)) STORED;
--> statement-breakpoint
CREATE INDEX comments_search_idx ON comments USING gin (search_vector);
--> statement-breakpoint
ALTER TABLE chat_messages ADD COLUMN search_vector tsvector
  GENERATED ALWAYS AS (to_tsvector('laneway_search'::regconfig, body)) STORED;
--> statement-breakpoint
CREATE INDEX chat_messages_search_idx ON chat_messages USING gin (search_vector);
