-- A bill's page is drawn in its customer's language: the view carries their locale.
CREATE OR REPLACE VIEW bill_pages AS
SELECT b.id AS bill_id, c.name, c.account_id, b.cycle, b.period_start, b.period_end,
       b.issued_on, b.due_on, b.currency, b.amount_due, b.previous_balance, b.payments,
       b.lines, b.usage, p.compared AS previous, y.compared AS last_year,
       c.brand_id, c.locale
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
