-- A customer's time zone (an IANA name such as `America/New_York`); none: the deployment's
-- `BILLPASS_TIMEZONE`. Pages and messages write the customer's times in it.
ALTER TABLE customers ADD COLUMN timezone text;

-- Short links for text messages (`BILLPASS_SMS_LINK=short`): `/s/{code}` stands for one
-- link token. The code itself is kept only in the pending delivery that carries it (cleared
-- once sent, as links are); here, only its SHA-256.
CREATE TABLE short_links (
    code_hash  bytea PRIMARY KEY CHECK (length(code_hash) = 32),
    token_id   bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX short_links_token_idx ON short_links (token_id);

-- A bill as its page shows it: with the customer, the previous bill in the same currency
-- and the bill of the same period a year before (the one ending closest to a year before
-- this one ends, among those overlapping that period), each as
-- `{"period_start", "period_end", "lines"}`. Both the session's read and staff's view go
-- through it; PostgreSQL inlines it, so a read by bill id stays on the indexes.
CREATE VIEW bill_pages AS
SELECT b.id AS bill_id, c.name, c.account_id, b.cycle, b.period_start, b.period_end,
       b.issued_on, b.due_on, b.currency, b.amount_due, b.previous_balance, b.payments,
       b.lines, b.usage, p.compared AS previous, y.compared AS last_year
FROM bills b
JOIN customers c ON c.id = b.customer_id
LEFT JOIN LATERAL (
    SELECT jsonb_build_object('period_start', p.period_start, 'period_end', p.period_end,
                              'lines', p.lines) AS compared
    FROM bills p
    WHERE p.customer_id = b.customer_id AND p.period_end < b.period_start
      AND p.currency = b.currency
    ORDER BY p.period_end DESC LIMIT 1) p ON true
LEFT JOIN LATERAL (
    SELECT jsonb_build_object('period_start', y.period_start, 'period_end', y.period_end,
                              'lines', y.lines) AS compared
    FROM bills y
    WHERE y.customer_id = b.customer_id AND y.currency = b.currency
      AND y.period_end < b.period_start
      AND y.period_end >= (b.period_start - interval '1 year')::date
      AND y.period_start <= (b.period_end - interval '1 year')::date
    ORDER BY abs(y.period_end - (b.period_end - interval '1 year')::date), y.period_end DESC
    LIMIT 1) y ON true;
