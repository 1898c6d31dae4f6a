-- Finding customers the way a customer-service rep types them: an account id in any case,
-- part of a name whatever its case and accents, an email address, a phone number in any
-- common format. pg_trgm and unaccent are trusted extensions: the database's owner may
-- create them.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

-- unaccent() is only STABLE (its dictionary could change); with the dictionary named, and
-- bound when the function is created, an index may use it.
CREATE FUNCTION billpass_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN lower(unaccent('unaccent'::regdictionary, $1));

CREATE INDEX customers_account_lower_idx ON customers (lower(account_id));
CREATE INDEX customers_name_trgm_idx ON customers USING gin (billpass_fold(name) gin_trgm_ops);
-- A number typed without its country code matches by its last digits.
CREATE INDEX customers_phone_reversed_idx ON customers (reverse(phone) text_pattern_ops)
    WHERE phone IS NOT NULL;

-- A scheduled run can be cancelled before it starts.
ALTER TABLE cycle_runs DROP CONSTRAINT cycle_runs_status_check;
ALTER TABLE cycle_runs
    ADD CONSTRAINT cycle_runs_status_check
        CHECK (status IN ('scheduled', 'running', 'completed', 'failed', 'cancelled')),
    ADD COLUMN cancelled_by text;
CREATE INDEX cycle_runs_created_idx ON cycle_runs (created_at DESC, id DESC);

-- The first time a link was fetched (`GET /b/{token}`: people, mail scanners, chat
-- previews), kept apart from openings (sessions: "View my bill" pressed). Written in
-- batches, so the landing page stays read-only.
ALTER TABLE link_tokens ADD COLUMN first_fetched_at timestamptz;
-- The cycle report reads a cycle's links.
CREATE INDEX link_tokens_cycle_report_idx ON link_tokens (cycle) WHERE cycle IS NOT NULL;
