-- A delivery keeps its link only while its message waits to be sent: a dump or a backup of
-- the database then holds no link that opens a bill, only links already on their way.
-- Sending, failing or cancelling a delivery clears it; a link needed again later (a
-- carrier's late failure falling back to email, the demo) is signed again from its
-- `link_tokens` row.
ALTER TABLE deliveries ALTER COLUMN link DROP NOT NULL;
UPDATE deliveries SET link = NULL WHERE status NOT IN ('queued', 'sending');
ALTER TABLE deliveries
    ADD CONSTRAINT deliveries_link_only_while_pending
    CHECK ((link IS NOT NULL) = (status IN ('queued', 'sending')));

-- A customer renewing a superseded link is sent their current link again, while it works,
-- instead of a fresh one: such deliveries count against the customer's budget of links
-- asked for, as renewals and `/link` requests do.
ALTER TABLE deliveries ADD COLUMN requested_by_customer boolean NOT NULL DEFAULT false;
