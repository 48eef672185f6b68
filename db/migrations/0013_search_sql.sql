-- Search everywhere (decision 0035). One text search configuration, `laneway_search`: the
-- `simple` one (lowercase, no stemming, no stop words: tickets mix languages, names and codes)
-- with the `unaccent` dictionary in front of it for words, so "resume" finds "Résumé". It is used
-- for the documents and for the queries alike, and `to_tsvector` with a constant configuration
-- is IMMUTABLE, so no wrapper function around `unaccent()` is needed to index it.
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
-- Expression indexes, not generated tsvector columns: no second copy of every text in the
-- largest tables and nothing in the drizzle schema. server/src/services/search.ts repeats each
-- expression exactly (the planner matches them verbatim; search.test.ts checks the plans).
-- A ticket: title (A), description (B), the string values of its custom fields (C).
CREATE INDEX tickets_search_idx ON tickets USING gin ((
  setweight(to_tsvector('laneway_search'::regconfig, title), 'A') ||
  setweight(to_tsvector('laneway_search'::regconfig, description), 'B') ||
  setweight(to_tsvector('laneway_search'::regconfig, fields), 'C')));
--> statement-breakpoint
CREATE INDEX comments_search_idx ON comments USING gin ((to_tsvector('laneway_search'::regconfig, body)));
--> statement-breakpoint
CREATE INDEX chat_messages_search_idx ON chat_messages USING gin ((to_tsvector('laneway_search'::regconfig, body)));
