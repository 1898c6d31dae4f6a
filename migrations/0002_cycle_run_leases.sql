-- Cycle runs can be scheduled, are worked under a lease, resume from a cursor, and
-- count why customers were skipped. At most one scheduled or running run per cycle.
ALTER TABLE cycle_runs DROP CONSTRAINT cycle_runs_status_check;
ALTER TABLE cycle_runs
    ADD CONSTRAINT cycle_runs_status_check CHECK (status IN ('scheduled', 'running', 'completed', 'failed')),
    ALTER COLUMN status SET DEFAULT 'scheduled',
    ALTER COLUMN started_at DROP NOT NULL,
    ALTER COLUMN started_at DROP DEFAULT,
    ADD COLUMN created_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN scheduled_at timestamptz NOT NULL DEFAULT now(),
    -- Customers up to this id are done; a resumed run continues after it.
    ADD COLUMN cursor_customer_id bigint NOT NULL DEFAULT 0,
    ADD COLUMN lease_owner text,
    ADD COLUMN lease_until timestamptz,
    ADD COLUMN skipped_already_sent bigint NOT NULL DEFAULT 0,
    ADD COLUMN skipped_no_contact bigint NOT NULL DEFAULT 0,
    ADD COLUMN error text;
-- Runs recorded before leases existed ran to the end in one process.
UPDATE cycle_runs SET status = 'completed', finished_at = coalesce(finished_at, now()) WHERE status = 'running';
CREATE UNIQUE INDEX cycle_runs_active_idx ON cycle_runs (cycle) WHERE status IN ('scheduled', 'running');
CREATE INDEX cycle_runs_due_idx ON cycle_runs (scheduled_at) WHERE status IN ('scheduled', 'running');
ALTER TABLE cycle_runs DROP COLUMN skipped;
ALTER TABLE cycle_runs
    ADD COLUMN skipped bigint GENERATED ALWAYS AS (skipped_already_sent + skipped_no_contact) STORED;
