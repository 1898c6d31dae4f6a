-- A customer's bills in period order: the bill page reads the bill before the one it shows
-- (for "what changed") straight from this index, without sorting the customer's bills.
CREATE INDEX bills_customer_period_idx ON bills (customer_id, period_end);
