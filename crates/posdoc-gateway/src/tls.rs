//! TLS on the terminal port (rustls, ring provider): server and terminal
//! configurations from PEM, and certificate generation for simulations and
//! tests (a private CA, a gateway certificate it signs, valid or expired).

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use tokio_rustls::rustls::{
    self, ClientConfig, RootCertStore, ServerConfig,
    pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject},
};

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A server configuration from a PEM certificate chain and a PEM key.
pub fn server_config(cert_pem: &[u8], key_pem: &[u8]) -> anyhow::Result<Arc<ServerConfig>> {
    let certs = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .context("reading the certificate PEM")?;
    anyhow::ensure!(!certs.is_empty(), "no certificate in the PEM");
    let key = PrivateKeyDer::from_pem_slice(key_pem).context("reading the private key PEM")?;
    let config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .context("the certificate and key do not form a server identity")?;
    Ok(Arc::new(config))
}

/// [`server_config`] from files.
pub fn server_config_from_files(cert: &Path, key: &Path) -> anyhow::Result<Arc<ServerConfig>> {
    let c = std::fs::read(cert).with_context(|| format!("reading {}", cert.display()))?;
    let k = std::fs::read(key).with_context(|| format!("reading {}", key.display()))?;
    server_config(&c, &k).with_context(|| format!("{} / {}", cert.display(), key.display()))
}

/// A terminal's configuration trusting the CA certificates in `ca_pem`.
pub fn client_config(ca_pem: &[u8]) -> anyhow::Result<Arc<ClientConfig>> {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem) {
        roots
            .add(cert.context("reading the CA PEM")?)
            .context("adding the CA")?;
    }
    anyhow::ensure!(!roots.is_empty(), "no CA certificate in the PEM");
    let config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Generated PEM material: a CA, and a gateway certificate it signed.
#[derive(Debug, Clone)]
pub struct Generated {
    pub ca_cert_pem: String,
    pub cert_pem: String,
    pub key_pem: String,
}

/// Generates a CA and a certificate for `names` (DNS names or IP
/// addresses) signed by it. With `expired`, the certificate's validity
/// ended in 2024: terminals must refuse it.
pub fn generate(names: &[&str], expired: bool) -> anyhow::Result<Generated> {
    let (valid, old) = generate_pair(names)?;
    Ok(if expired { old } else { valid })
}

/// One CA and two certificates for `names` signed by it: a valid one and
/// one whose validity ended in 2024. Terminals trusting the CA accept the
/// first and refuse the second as expired (not as unknown), which is how
/// the fault proxy's `expired-cert` fault reproduces a certificate that
/// lapsed.
pub fn generate_pair(names: &[&str]) -> anyhow::Result<(Generated, Generated)> {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
    let ca_key = KeyPair::generate()?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "posdoc simulation CA");
    let ca = ca_params.self_signed(&ca_key)?;
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let leaf = |expired: bool| -> anyhow::Result<Generated> {
        let key = KeyPair::generate()?;
        let mut params =
            CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())?;
        params
            .distinguished_name
            .push(DnType::CommonName, "posdoc gateway");
        if expired {
            // A validity that ended long ago: any clock calls it expired.
            params.not_before = rcgen::date_time_ymd(2020, 1, 1);
            params.not_after = rcgen::date_time_ymd(2024, 1, 1);
        }
        let cert = params.signed_by(&key, &issuer)?;
        Ok(Generated {
            ca_cert_pem: ca.pem(),
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        })
    };
    Ok((leaf(false)?, leaf(true)?))
}
