//! Who is asking: the peer's address, or the client a trusted reverse proxy names in
//! `X-Forwarded-For`.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use actix_web::HttpRequest;
use ipnet::IpNet;

/// The client of `request`: the peer, unless the peer is a trusted proxy; then, walking
/// `X-Forwarded-For` from the right, the first address that is not a trusted proxy.
pub fn client_ip(request: &HttpRequest, trusted: &[IpNet]) -> IpAddr {
    let peer = request
        .peer_addr()
        .map_or(IpAddr::V6(Ipv6Addr::UNSPECIFIED), |peer| peer.ip());
    let hops: Vec<&str> = request
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .collect();
    forwarded_client(peer, &hops, trusted)
}

fn forwarded_client(peer: IpAddr, hops: &[&str], trusted: &[IpNet]) -> IpAddr {
    let mut client = peer.to_canonical();
    for hop in hops.iter().rev() {
        if !trusted.iter().any(|range| range.contains(&client)) {
            break;
        }
        // A hop we cannot read ends the walk at the last proxy we trust.
        match parse_hop(hop.trim()) {
            Some(ip) => client = ip.to_canonical(),
            None => break,
        }
    }
    client
}

/// `203.0.113.7`, `2001:db8::1`, or either with a port (`203.0.113.7:4711`, `[2001:db8::1]:4711`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .or_else(|_| hop.parse::<SocketAddr>().map(|socket| socket.ip()))
        .ok()
}

/// The key a client is counted under: its address, or for IPv6 its /64, which one
/// subscriber usually holds whole.
pub fn rate_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from_bits(v6.to_bits() & !0u128 << 64)),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_ip_range;

    fn ranges(raw: &[&str]) -> Vec<IpNet> {
        raw.iter().map(|r| parse_ip_range(r).unwrap()).collect()
    }

    fn ip(raw: &str) -> IpAddr {
        raw.parse().unwrap()
    }

    #[test]
    fn forwarded_for_counts_only_behind_trusted_proxies() {
        let proxies = ranges(&["10.0.0.0/8"]);
        let hops = ["198.51.100.1", "203.0.113.7", "10.0.0.2"];
        // Without trust, the peer is the client whatever the header says.
        assert_eq!(forwarded_client(ip("10.0.0.1"), &hops, &[]), ip("10.0.0.1"));
        assert_eq!(
            forwarded_client(ip("192.0.2.5"), &hops, &proxies),
            ip("192.0.2.5")
        );
        // Behind proxies: the nearest address that is not one; what the client wrote further
        // left (a forged 198.51.100.1) is not believed.
        assert_eq!(
            forwarded_client(ip("10.0.0.1"), &hops, &proxies),
            ip("203.0.113.7")
        );
        assert_eq!(
            forwarded_client(ip("10.0.0.1"), &["[2001:db8::1]:4711"], &proxies),
            ip("2001:db8::1")
        );
        assert_eq!(
            forwarded_client(ip("10.0.0.1"), &["junk"], &proxies),
            ip("10.0.0.1")
        );
        assert_eq!(
            forwarded_client(ip("10.0.0.1"), &[], &proxies),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64() {
        assert_eq!(rate_key(ip("2001:db8:1:2:aaaa::1")), ip("2001:db8:1:2::"));
        assert_eq!(rate_key(ip("203.0.113.7")), ip("203.0.113.7"));
    }
}
