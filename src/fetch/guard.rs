//! The address policy: vft connects only to publicly routable addresses.
//!
//! vft runs in CI on files it did not write, so an image URL is untrusted input: without
//! this guard, `http://169.254.169.254/latest/meta-data/…` or `http://10.0.0.5/admin` in a
//! training file would make the CI runner request its own cloud metadata or internal
//! services (server-side request forgery). The platform fetches from the public internet,
//! so such a URL cannot work there either, and refusing it loses nothing.
//!
//! The check runs on the literal host of every URL and redirect hop ([`check_url`]) and,
//! through [`GuardedResolver`], on every address a host name resolves to: the addresses
//! the connection is actually made to, so a name that resolves to a public address for a
//! check and a private one for the connection (DNS rebinding) gets nowhere.

use std::error::Error;
use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};
use std::sync::Arc;

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Why a host is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotPublic {
    /// The host as written in the URL.
    pub host: String,
    /// The refused address, when the host is a name that resolved to it.
    pub resolved: Option<IpAddr>,
    /// What kind of address or name it is: `a loopback address`, …
    pub reason: &'static str,
}

impl fmt::Display for NotPublic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.resolved {
            Some(ip) => write!(f, "`{}` resolves to `{ip}`, {}", self.host, self.reason),
            None => write!(f, "`{}` is {}", self.host, self.reason),
        }
    }
}

impl Error for NotPublic {}

/// A host name that no resolver will find (RFC 6761 `.invalid` and `.test`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolvable(pub String);

impl fmt::Display for Unresolvable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "host `{}` does not resolve", self.0)
    }
}

impl Error for Unresolvable {}

/// Why an address is not publicly routable, or `None` when it is.
pub fn classify(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

/// Why an address is a cloud metadata or host-agent endpoint, refused even with
/// `--allow-private-urls` (they hand out credentials, and no test needs them), or `None`.
///
/// Sources: AWS EC2 instance metadata (169.254.169.254, IPv6 `fd00:ec2::254`), ECS task
/// credentials (169.254.170.2) and EKS Pod Identity (169.254.170.23, `fd00:ec2::23`); Google
/// Cloud (169.254.169.254, `metadata.google.internal`; IPv6 `fd20:ce::254`); Azure IMDS
/// (169.254.169.254) and WireServer (168.63.129.16, a public-looking address that serves
/// the VM agent); Oracle Cloud (169.254.169.254; 192.0.0.192 in SSRF payload lists);
/// Alibaba Cloud (100.100.100.200); Tencent Cloud (169.254.0.23). Since most live in the
/// link-local ranges, all of 169.254.0.0/16 and fe80::/10 are treated so (`fe80::a9fe:a9fe`
/// is 169.254.169.254 inside an IPv6 link-local address).
pub fn metadata(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => metadata_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => metadata_v4(v4),
            None => metadata_v6(v6),
        },
    }
}

fn metadata_v4(ip: Ipv4Addr) -> Option<&'static str> {
    Some(match ip.octets() {
        [169, 254, 169, 254] => "the cloud metadata address",
        [169, 254, ..] => "a link-local address, where cloud metadata services answer",
        [100, 100, 100, 200] => "Alibaba Cloud's metadata address",
        [168, 63, 129, 16] => "Azure's WireServer (VM agent) address",
        [192, 0, 0, 192] => "Oracle Cloud's legacy metadata address",
        _ => return None,
    })
}

fn metadata_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let segments = ip.segments();
    Some(match segments {
        [0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x254] => "AWS's IPv6 metadata address",
        [0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x23] => "AWS's IPv6 Pod Identity address",
        [0xfd20, 0x00ce, 0, 0, 0, 0, 0, 0x254] => "Google Cloud's IPv6 metadata address",
        // NAT64 and 6to4 reach the embedded IPv4 address.
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] | [0x2002, hi, lo, ..] => {
            return metadata_v4(Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo)));
        }
        _ if ip.is_unicast_link_local() => {
            "a link-local address, where cloud metadata services answer"
        }
        _ => return None,
    })
}

fn classify_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    if let Some(reason) = metadata_v4(ip) {
        return Some(reason);
    }
    Some(match (a, b, c) {
        _ if ip.is_unspecified() || a == 0 => "an unspecified address",
        _ if ip.is_loopback() => "a loopback address",
        _ if ip.is_private() => "a private address",
        (100, 64..=127, _) => "a shared (carrier-grade NAT) address",
        _ if ip.is_link_local() => "a link-local address",
        (192, 0, 0) => "a reserved address",
        _ if ip.is_documentation() => "a documentation address",
        (198, 18..=19, _) => "a benchmarking address",
        _ if ip.is_broadcast() => "a broadcast address",
        _ if ip.is_multicast() => "a multicast address",
        (240..=255, _, _) => "a reserved address",
        _ => return None,
    })
}

fn classify_v6(ip: Ipv6Addr) -> Option<&'static str> {
    // Addresses that carry an IPv4 address reach that address: judge it instead.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    if let Some(reason) = metadata_v6(ip) {
        return Some(reason);
    }
    let segments = ip.segments();
    let embedded = |s: [u16; 2]| Ipv4Addr::from((u32::from(s[0]) << 16) | u32::from(s[1]));
    Some(match segments {
        _ if ip.is_unspecified() => "an unspecified address",
        _ if ip.is_loopback() => "a loopback address",
        // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) translate to the embedded IPv4 address.
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] | [0x2002, hi, lo, ..] => {
            return classify_v4(embedded([hi, lo]));
        }
        // The deprecated IPv4-compatible form, ::a.b.c.d.
        [0, 0, 0, 0, 0, 0, _, _] => "a reserved address",
        _ if ip.is_unique_local() => "a unique-local (private) address",
        [0xfec0..=0xfeff, ..] => "a site-local address",
        _ if ip.is_multicast() => "a multicast address",
        [0x2001, 0xdb8, ..] => "a documentation address",
        _ => return None,
    })
}

/// What [`classify_name`] says of a metadata host name (refused even with
/// `--allow-private-urls`, like the addresses [`metadata`] names).
const METADATA_HOST: &str = "a cloud metadata host";

/// Why a host name is refused without resolving it, or `None`.
fn classify_name(host: &str) -> Option<&'static str> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let under = |suffix: &str| host == suffix || host.ends_with(&format!(".{suffix}"));
    Some(match host.as_str() {
        "metadata"
        | "metadata.google.internal"
        | "metadata.goog"
        | "metadata.azure.com"
        | "metadata.tencentyun.com"
        | "metadata.oraclecloud.com"
        | "instance-data"
        | "instance-data.ec2.internal" => METADATA_HOST,
        _ if under("localhost") => "a loopback host",
        _ if under("internal") || under("local") || under("home.arpa") => "a private host name",
        _ => return None,
    })
}

/// Checks a URL before any connection: its scheme, and its host when it is an address or a
/// reserved name. Host names that pass are checked again when they resolve.
pub fn check_url(url: &Url, allow_private: bool) -> Result<(), UrlProblem> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(UrlProblem::Scheme(url.scheme().to_owned()));
    }
    let Some(host) = url.host() else {
        return Err(UrlProblem::Invalid("no host".to_owned()));
    };
    let (text, reason, always) = match host {
        url::Host::Domain(name) => {
            let lower = name.trim_end_matches('.').to_ascii_lowercase();
            let tld = lower.rsplit('.').next().unwrap_or_default();
            if tld == "invalid" || tld == "test" {
                return Err(UrlProblem::Unresolvable(Unresolvable(name.to_owned())));
            }
            let reason = classify_name(name);
            (name.to_owned(), reason, reason == Some(METADATA_HOST))
        }
        url::Host::Ipv4(ip) => (ip.to_string(), classify_v4(ip), metadata_v4(ip).is_some()),
        url::Host::Ipv6(ip) => {
            let always = metadata(IpAddr::V6(ip)).is_some();
            (ip.to_string(), classify_v6(ip), always)
        }
    };
    match reason {
        Some(reason) if !allow_private || always => Err(UrlProblem::NotPublic(NotPublic {
            host: text,
            resolved: None,
            reason,
        })),
        _ => Ok(()),
    }
}

/// What is wrong with a URL before fetching it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlProblem {
    /// It does not parse, or has no host.
    Invalid(String),
    /// Not http or https (a redirect can point anywhere).
    Scheme(String),
    NotPublic(NotPublic),
    Unresolvable(Unresolvable),
}

/// Parses and checks a URL as written in a training file.
pub fn parse(url: &str, allow_private: bool) -> Result<Url, UrlProblem> {
    let parsed = Url::parse(url).map_err(|e| UrlProblem::Invalid(e.to_string()))?;
    check_url(&parsed, allow_private)?;
    Ok(parsed)
}

/// Resolves host names to addresses.
pub trait Lookup: Send + Sync + fmt::Debug {
    /// The addresses of `host`; an error when it does not resolve, for whatever reason.
    fn lookup(&self, host: &str) -> io::Result<Vec<IpAddr>>;
}

/// The system's resolver (`getaddrinfo`).
#[derive(Debug, Clone, Copy)]
pub struct SystemLookup;

impl Lookup for SystemLookup {
    fn lookup(&self, host: &str) -> io::Result<Vec<IpAddr>> {
        Ok((host, 0).to_socket_addrs()?.map(|a| a.ip()).collect())
    }
}

/// A DNS resolver that drops non-public addresses, so the connection can only be made to
/// an address that passed the check.
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    pub allow_private: bool,
    pub lookup: Arc<dyn Lookup>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        let allow_private = self.allow_private;
        let lookup = Arc::clone(&self.lookup);
        Box::pin(async move {
            let name = host.clone();
            let addrs: Vec<SocketAddr> = tokio::task::spawn_blocking(move || {
                lookup
                    .lookup(&name)
                    .map(|ips| ips.into_iter().map(|ip| SocketAddr::new(ip, 0)).collect())
            })
            .await
            .map_err(|e| Box::new(e) as Box<dyn Error + Send + Sync>)?
            .map_err(|_| Box::new(Unresolvable(host.clone())) as Box<dyn Error + Send + Sync>)?;
            let addrs = filter(&host, addrs, allow_private)?;
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// The public addresses among `addrs`; an error when there are none.
fn filter(
    host: &str,
    addrs: Vec<SocketAddr>,
    allow_private: bool,
) -> Result<Vec<SocketAddr>, Box<dyn Error + Send + Sync>> {
    if addrs.is_empty() {
        return Err(Box::new(Unresolvable(host.to_owned())));
    }
    let refused = |ip: IpAddr| classify(ip).filter(|_| !allow_private || metadata(ip).is_some());
    let first_refused = addrs
        .iter()
        .find_map(|a| refused(a.ip()).map(|r| (a.ip(), r)));
    let public: Vec<SocketAddr> = addrs
        .into_iter()
        .filter(|a| refused(a.ip()).is_none())
        .collect();
    match first_refused {
        Some((ip, reason)) if public.is_empty() => Err(Box::new(NotPublic {
            host: host.to_owned(),
            resolved: Some(ip),
            reason,
        })),
        _ => Ok(public),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(ip: &str) -> bool {
        classify(ip.parse().unwrap()).is_some()
    }

    #[test]
    fn refuses_non_public_addresses() {
        for ip in [
            "127.0.0.1",
            "127.8.9.10",
            "0.0.0.0",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
            "100.127.255.255",
            "169.254.169.254",
            "169.254.1.1",
            "192.0.0.192",
            "192.0.2.1",
            "198.18.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd00:ec2::254",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "2002:a00:1::",
            "::127.0.0.1",
            "2001:db8::1",
            "fec0::1",
        ] {
            assert!(refused(ip), "{ip} should be refused");
        }
    }

    #[test]
    fn accepts_public_addresses() {
        for ip in [
            "8.8.8.8",
            "1.1.1.1",
            "100.63.255.255",
            "100.128.0.1",
            "172.32.0.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert!(!refused(ip), "{ip} should be accepted");
        }
    }

    #[test]
    fn checks_literal_hosts_and_reserved_names() {
        let check = |url: &str| parse(url, false);
        assert!(check("https://example.com/a.png").is_ok());
        assert!(matches!(
            check("http://169.254.169.254/latest/meta-data/"),
            Err(UrlProblem::NotPublic(NotPublic {
                reason: "the cloud metadata address",
                ..
            }))
        ));
        assert!(matches!(
            check("http://[::1]:8080/a.png"),
            Err(UrlProblem::NotPublic(_))
        ));
        assert!(matches!(
            check("http://LOCALHOST./a.png"),
            Err(UrlProblem::NotPublic(_))
        ));
        assert!(matches!(
            check("http://metadata.google.internal/"),
            Err(UrlProblem::NotPublic(_))
        ));
        // Decimal and hex forms are normalised by the URL parser before the check.
        assert!(matches!(
            check("http://2130706433/"),
            Err(UrlProblem::NotPublic(_))
        ));
        assert!(matches!(
            check("http://0x7f.1/"),
            Err(UrlProblem::NotPublic(_))
        ));
        assert!(matches!(
            check("http://a.invalid/x.png"),
            Err(UrlProblem::Unresolvable(_))
        ));
        assert!(matches!(
            check("http://[::1/x.png"),
            Err(UrlProblem::Invalid(_))
        ));
        assert!(matches!(
            check("https://exa mple.com/"),
            Err(UrlProblem::Invalid(_))
        ));
        assert!(parse("http://127.0.0.1:9/a.png", true).is_ok());
        assert!(parse("http://169.254.169.254/latest/meta-data/", true).is_err());
    }

    #[test]
    fn metadata_addresses_are_refused_even_when_private_ones_are_allowed() {
        for (url, reason) in [
            ("http://169.254.169.254/", "the cloud metadata address"),
            (
                "http://[::ffff:169.254.169.254]/",
                "the cloud metadata address",
            ),
            ("http://0xa9fea9fe/", "the cloud metadata address"),
            ("http://[64:ff9b::a9fe:a9fe]/", "the cloud metadata address"),
            (
                "http://169.254.170.2/v2/credentials",
                "a link-local address",
            ),
            ("http://169.254.170.23/", "a link-local address"),
            ("http://169.254.0.23/", "a link-local address"),
            (
                "http://[fd00:ec2::254]/latest/",
                "AWS's IPv6 metadata address",
            ),
            ("http://[fd00:ec2::23]/", "AWS's IPv6 Pod Identity address"),
            (
                "http://[fd20:ce::254]/",
                "Google Cloud's IPv6 metadata address",
            ),
            (
                "http://100.100.100.200/latest/meta-data/",
                "Alibaba Cloud's",
            ),
            ("http://168.63.129.16/machine", "Azure's WireServer"),
            ("http://192.0.0.192/latest/", "Oracle Cloud's"),
            ("http://[fe80::a9fe:a9fe]/", "a link-local address"),
            ("http://[fe80::1]/", "a link-local address"),
            ("http://metadata.google.internal/", "a cloud metadata host"),
            ("http://metadata.tencentyun.com/", "a cloud metadata host"),
            (
                "http://instance-data.ec2.internal./",
                "a cloud metadata host",
            ),
        ] {
            for allow_private in [false, true] {
                match parse(url, allow_private) {
                    Err(UrlProblem::NotPublic(refusal)) => {
                        assert!(refusal.reason.starts_with(reason), "{url}: {refusal}");
                    }
                    other => panic!("{url} (allow_private {allow_private}): {other:?}"),
                }
            }
        }
        // The same addresses when a name resolves to them.
        let addr = |s: &str| SocketAddr::new(s.parse().unwrap(), 0);
        for ip in [
            "169.254.169.254",
            "169.254.170.2",
            "100.100.100.200",
            "168.63.129.16",
            "192.0.0.192",
            "fd00:ec2::254",
            "fd20:ce::254",
            "fe80::a9fe:a9fe",
        ] {
            let error = filter("h.example", vec![addr(ip)], true).unwrap_err();
            assert!(error.downcast_ref::<NotPublic>().is_some(), "{ip}");
        }
        // Other private addresses stay allowed with the flag.
        assert!(filter("h.example", vec![addr("10.0.0.1"), addr("fd00::1")], true).is_ok());
    }

    #[test]
    fn resolver_keeps_only_public_addresses() {
        let addr = |s: &str| SocketAddr::new(s.parse().unwrap(), 0);
        let mixed = vec![addr("10.0.0.1"), addr("8.8.8.8")];
        assert_eq!(
            filter("h", mixed.clone(), false).unwrap(),
            vec![addr("8.8.8.8")]
        );
        assert_eq!(filter("h", mixed, true).unwrap().len(), 2);
        assert!(filter("h", vec![addr("169.254.169.254")], true).is_err());
        let error = filter("h", vec![addr("127.0.0.1")], false).unwrap_err();
        let refusal = error.downcast_ref::<NotPublic>().unwrap();
        assert_eq!(refusal.resolved, Some("127.0.0.1".parse().unwrap()));
        assert!(filter("h", Vec::new(), false).is_err());
    }
}
