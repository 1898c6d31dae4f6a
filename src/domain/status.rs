//! Where links, messages and cycle runs stand.

word_enum! {
    /// What opening a link would show now: `current`, `expired`, `superseded` or `revoked`.
    pub enum LinkStatus {
        Current,
        Expired,
        Superseded,
        Revoked,
    }
}

word_enum! {
    /// Where a message stands: `queued`, `sending`, `sent`, `delivered` or `failed`.
    pub enum DeliveryStatus {
        Queued,
        Sending,
        Sent,
        Delivered,
        Failed,
    }
}

word_enum! {
    /// Where a cycle run stands: `scheduled`, `running`, `completed`, `failed` or
    /// `cancelled` (a scheduled run called off before it started).
    pub enum RunStatus {
        Scheduled,
        Running,
        Completed,
        Failed,
        Cancelled,
    }
}
