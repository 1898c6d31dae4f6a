//! TCP sockets that libraries open with Nagle's algorithm left on.
//!
//! sqlx 0.9.0 (sqlx issue 4335) and lettre 0.11 do not set `TCP_NODELAY`. A request
//! written in more than one piece then waits for the peer's delayed ACK, about 40 ms: on
//! TLS database connections every large statement stalls, and so would any SMTP exchange
//! written in pieces (a TLS handshake, say). Until they set it themselves, billpass sets
//! it on its sockets as it opens them.

/// Turns Nagle's algorithm off on every TCP socket of this process. Elsewhere than Linux
/// this does nothing.
pub fn disable_nagle() {
    use std::os::fd::{BorrowedFd, RawFd};

    let Ok(entries) = std::fs::read_dir("/proc/self/fd") else {
        return;
    };
    for entry in entries.flatten() {
        let Some(fd) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<RawFd>().ok())
        else {
            continue;
        };
        // SAFETY: the descriptor is borrowed for two socket-option calls only. Were it
        // closed meanwhile, the calls fail (EBADF/ENOTSOCK), or at worst set TCP_NODELAY
        // on another of our own sockets, which is harmless.
        let fd = unsafe { BorrowedFd::borrow_raw(fd) };
        let socket = socket2::SockRef::from(&fd);
        if socket.r#type().is_ok_and(|t| t == socket2::Type::STREAM)
            && socket
                .domain()
                .is_ok_and(|d| d == socket2::Domain::IPV4 || d == socket2::Domain::IPV6)
        {
            let _ = socket.set_tcp_nodelay(true);
        }
    }
}
