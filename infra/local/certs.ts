import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCA, createCert } from 'mkcert';

export interface DevCertificate {
  /** PEM of the development CA: what clients trust (NODE_EXTRA_CA_CERTS). */
  caCert: string;
  caPath: string;
  key: string;
  cert: string;
}

const CA_VALIDITY_IN_DAYS = 825;
const CERT_VALIDITY_IN_DAYS = 365;

/**
 * Loads the twin's development CA and server certificate from `dir`, creating them on
 * first use. Reusing them keeps a browser's or a shell's trust valid across restarts.
 */
export async function ensureDevCertificate(dir: string): Promise<DevCertificate> {
  mkdirSync(dir, { recursive: true });
  const caPath = join(dir, 'ca.pem');
  const caKeyPath = join(dir, 'ca-key.pem');
  const certPath = join(dir, 'localhost.pem');
  const keyPath = join(dir, 'localhost-key.pem');
  if (!existsSync(caPath) || !existsSync(caKeyPath)) {
    const ca = await createCA({
      organization: 'Sluice local twin development CA',
      countryCode: 'US',
      state: 'Local',
      locality: 'Local',
      validity: CA_VALIDITY_IN_DAYS,
    });
    writeFileSync(caPath, ca.cert);
    writeFileSync(caKeyPath, ca.key, { mode: 0o600 });
  }
  if (!existsSync(certPath) || !existsSync(keyPath)) {
    const cert = await createCert({
      domains: ['localhost', '127.0.0.1', '::1'],
      validity: CERT_VALIDITY_IN_DAYS,
      organization: 'Sluice local twin',
      ca: { cert: readFileSync(caPath, 'utf8'), key: readFileSync(caKeyPath, 'utf8') },
    });
    // Serve the chain so clients that only trust the CA can verify the leaf.
    writeFileSync(certPath, cert.cert);
    writeFileSync(keyPath, cert.key, { mode: 0o600 });
  }
  return {
    caCert: readFileSync(caPath, 'utf8'),
    caPath,
    cert: readFileSync(certPath, 'utf8'),
    key: readFileSync(keyPath, 'utf8'),
  };
}
