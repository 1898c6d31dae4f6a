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
-- Kept folded, so that a search neither folds the names it looks at again nor, when it
-- ranks them, the ones it found.
ALTER TABLE customers ADD COLUMN name_folded text GENERATED ALWAYS AS (billpass_fold(name)) STORED;
CREATE INDEX customers_name_trgm_idx ON customers USING gin (name_folded gin_trgm_ops);
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

-- What the cycle report counts, kept where it reads it in one pass:
-- the first time a link was fetched (`GET /b/{token}`: people, mail scanners, chat
-- previews; written in batches, so that the landing page stays read-only), and the first
-- time it was opened (a session: "View my bill" pressed), kept apart;
ALTER TABLE link_tokens
    ADD COLUMN first_fetched_at timestamptz,
    ADD COLUMN first_opened_at timestamptz;
UPDATE link_tokens t SET first_opened_at = s.opened_at
FROM (SELECT token_id, min(opened_at) AS opened_at FROM sessions GROUP BY token_id) s
WHERE s.token_id = t.id;
-- and each message's cycle.
ALTER TABLE deliveries ADD COLUMN cycle text;
UPDATE deliveries d SET cycle = t.cycle FROM link_tokens t WHERE t.id = d.token_id AND t.cycle IS NOT NULL;
-- A cycle's links and messages are written together, run by run: block ranges find them
-- at almost no cost to the cycle run's writes.
CREATE INDEX link_tokens_cycle_brin ON link_tokens USING brin (cycle);
CREATE INDEX deliveries_cycle_brin ON deliveries USING brin (cycle);
-- The other links to a cycle's bills (resends, renewals, `/link`), which are few.
CREATE INDEX link_tokens_other_bill_idx ON link_tokens (bill_id) WHERE cycle IS NULL;
