//! Login throttling: password guessing is slowed per client address and per login.
//!
//! Two token buckets stand before every password check, so a refused attempt costs the
//! server no Argon2 work:
//! - per client address, every attempt takes a token (IPv6 addresses are counted per /64,
//!   which is what one client usually holds);
//! - per login, every *failed* attempt takes a token, whatever address it came from, so
//!   spreading guesses over many addresses does not help. While a login's bucket is empty,
//!   its logins — right password or not — answer `429`; API keys keep working.
//!
//! Each bucket holds `rate` tokens and regains `rate` per minute. Buckets live in memory
//! (per API process) and their number is bounded: full buckets are forgotten first; when
//! every tracked bucket is in use, new keys are refused until one refills.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;

/// How many keys each bucket map tracks at most.
const MAX_TRACKED: usize = 10_000;

/// Logins attempted too fast; try again after the duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled(pub Duration);

/// Both buckets of the login route.
#[derive(Debug)]
pub struct LoginThrottle {
    clients: Buckets,
    logins: Buckets,
}

impl LoginThrottle {
    /// `attempts_per_client` attempts per client address and `failures_per_login` failures
    /// per login, each per minute; `0` turns that bucket off.
    pub fn new(attempts_per_client: u32, failures_per_login: u32) -> Self {
        Self { clients: Buckets::new(attempts_per_client), logins: Buckets::new(failures_per_login) }
    }

    /// Admits one attempt at `login` from `client`, or says how long to wait.
    pub fn admit(&self, client: Option<IpAddr>, login: &str) -> Result<(), Throttled> {
        self.logins.check(&login_key(login), Instant::now())?;
        self.clients.take(&client_key(client), Instant::now())
    }

    /// Records a failed attempt at `login`.
    pub fn failed(&self, login: &str) {
        // An empty bucket only means the next attempt waits, which `admit` tells.
        let _ = self.logins.take(&login_key(login), Instant::now());
    }
}

/// Who is logging in: the peer, or — when the peer is one of `trusted` reverse proxies —
/// the address those proxies recorded in `X-Forwarded-For` (the nearest one not itself a
/// trusted proxy; entries further left could be written by the client and are ignored).
pub fn client_address(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpAddr]) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let forwarded = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok());
    let hops: Vec<IpAddr> = forwarded.flat_map(|v| v.split(',')).filter_map(|hop| hop.trim().parse().ok()).collect();
    Some(hops.into_iter().rev().find(|hop| !trusted.contains(hop)).unwrap_or(peer))
}

fn login_key(login: &str) -> String {
    login.chars().take(256).collect()
}

fn client_key(client: Option<IpAddr>) -> String {
    match client.map(|ip| ip.to_canonical()) {
        Some(IpAddr::V6(ip)) => {
            let s = ip.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Some(IpAddr::V4(ip)) => ip.to_string(),
        // Served without a socket (in-process callers): one shared bucket.
        None => "local".to_owned(),
    }
}

#[derive(Debug)]
struct Buckets {
    rate: u32,
    entries: Mutex<HashMap<String, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl Buckets {
    fn new(rate: u32) -> Self {
        Self { rate, entries: Mutex::new(HashMap::new()) }
    }

    fn per_second(&self) -> f64 {
        f64::from(self.rate) / 60.0
    }

    /// `bucket` refilled up to `now`.
    fn current(&self, bucket: Bucket, now: Instant) -> Bucket {
        let regained = now.saturating_duration_since(bucket.updated).as_secs_f64() * self.per_second();
        Bucket { tokens: (bucket.tokens + regained).min(f64::from(self.rate)), updated: now }
    }

    fn wait_for_token(&self, bucket: Bucket) -> Throttled {
        let missing = 1.0 - bucket.tokens;
        Throttled(Duration::from_secs_f64((missing / self.per_second()).max(0.0)).max(Duration::from_secs(1)))
    }

    /// Fails when `key`'s bucket is empty, without taking a token.
    fn check(&self, key: &str, now: Instant) -> Result<(), Throttled> {
        if self.rate == 0 {
            return Ok(());
        }
        let entries = self.entries.lock().expect("throttle lock");
        match entries.get(key).map(|bucket| self.current(*bucket, now)) {
            Some(bucket) if bucket.tokens < 1.0 => Err(self.wait_for_token(bucket)),
            _ => Ok(()),
        }
    }

    /// Takes a token from `key`'s bucket, or fails when it is empty.
    fn take(&self, key: &str, now: Instant) -> Result<(), Throttled> {
        if self.rate == 0 {
            return Ok(());
        }
        let full = Bucket { tokens: f64::from(self.rate), updated: now };
        let mut entries = self.entries.lock().expect("throttle lock");
        if !entries.contains_key(key) && entries.len() >= MAX_TRACKED {
            entries.retain(|_, bucket| self.current(*bucket, now).tokens < f64::from(self.rate));
            if entries.len() >= MAX_TRACKED {
                return Err(Throttled(Duration::from_secs(60)));
            }
        }
        let bucket = entries.get(key).map_or(full, |bucket| self.current(*bucket, now));
        if bucket.tokens < 1.0 {
            entries.insert(key.to_owned(), bucket);
            return Err(self.wait_for_token(bucket));
        }
        entries.insert(key.to_owned(), Bucket { tokens: bucket.tokens - 1.0, ..bucket });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_refills_at_its_rate() {
        let buckets = Buckets::new(6); // one token every 10 s
        let start = Instant::now();
        for _ in 0..6 {
            buckets.take("a", start).unwrap();
        }
        let Throttled(wait) = buckets.take("a", start).unwrap_err();
        assert_eq!(wait, Duration::from_secs(10));
        assert!(buckets.take("b", start).is_ok(), "keys are counted apart");
        assert!(buckets.take("a", start + Duration::from_secs(10)).is_ok(), "one token regained");
        assert!(buckets.take("a", start + Duration::from_secs(11)).is_err());
    }

    #[test]
    fn a_rate_of_zero_never_refuses() {
        let buckets = Buckets::new(0);
        let now = Instant::now();
        assert!((0..1000).all(|_| buckets.take("a", now).is_ok()));
    }

    #[test]
    fn the_tracked_keys_are_bounded() {
        let buckets = Buckets::new(1);
        let now = Instant::now();
        for n in 0..MAX_TRACKED {
            buckets.take(&n.to_string(), now).unwrap();
        }
        assert!(buckets.take("one more", now).is_err(), "every tracked bucket is in use");
        let later = now + Duration::from_secs(60);
        assert!(buckets.take("one more", later).is_ok(), "refilled buckets are forgotten to make room");
        assert!(buckets.entries.lock().unwrap().len() <= 2);
    }

    #[test]
    fn a_trusted_proxy_names_the_client_and_nobody_else_does() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let mut headers = HeaderMap::new();
        // The client wrote the first entry itself; the proxy appended the real address.
        headers.insert("x-forwarded-for", "203.0.113.9, 198.51.100.4".parse().unwrap());
        let client = client_address(Some(proxy), &headers, &[proxy]);
        assert_eq!(client, Some("198.51.100.4".parse().unwrap()));
        let stranger: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(
            client_address(Some(stranger), &headers, &[proxy]),
            Some(stranger),
            "untrusted peers cannot claim one"
        );
        assert_eq!(client_address(Some(proxy), &HeaderMap::new(), &[proxy]), Some(proxy));
    }

    #[test]
    fn ipv6_clients_are_counted_per_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(client_key(Some(a)), client_key(Some(b)));
        assert_eq!(client_key(Some(mapped)), "192.0.2.7");
    }
}
