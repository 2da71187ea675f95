// TEST DOUBLE support: a throw-away lab CA (stand-in for the engine CA) with a VDSM host cert and
// a console client cert, generated with the openssl CLI into a fresh temp dir per run.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isIP } from 'node:net';

export interface LabPki {
  dir: string;
  /** PEM texts. */
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A client cert signed by a different CA (must be refused). */
  strangerCert: string;
  strangerKey: string;
  paths: { ca: string; serverCert: string; serverKey: string; clientCert: string; clientKey: string };
}

function ossl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function issue(dir: string, name: string, subject: string, caName: string, ext: string): void {
  ossl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', subject], dir);
  writeFileSync(join(dir, `${name}.ext`), ext);
  ossl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.pem`, '-CAkey', `${caName}-key.pem`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-sha256', '-extfile', `${name}.ext`], dir);
}

/** Creates CA, server cert for `serverNames` (IPs and/or DNS names, first = CN) and a client cert. */
export function makeLabPki(serverNames: string[], dir = mkdtempSync(join(tmpdir(), 'portico-vdsm-pki-'))): LabPki {
  const ca = (name: string, cn: string) =>
    ossl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}-key.pem`, '-out', `${name}.pem`, '-days', '2', '-subj', `/O=Portico lab/CN=${cn}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  ca('ca', 'Portico lab engine CA (TEST)');
  ca('stranger-ca', 'Some other CA (TEST)');
  const san = serverNames.map((n) => (isIP(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  issue(dir, 'server', `/O=Portico lab/CN=${serverNames[0]}`, 'ca', `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=${san}\n`);
  issue(dir, 'client', '/O=Portico lab/CN=portico-console', 'ca', 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n');
  issue(dir, 'stranger', '/O=Elsewhere/CN=stranger', 'stranger-ca', 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n');
  const r = (f: string) => readFileSync(join(dir, f), 'utf8');
  return {
    dir,
    ca: r('ca.pem'),
    serverCert: r('server.pem'),
    serverKey: r('server-key.pem'),
    clientCert: r('client.pem'),
    clientKey: r('client-key.pem'),
    strangerCert: r('stranger.pem'),
    strangerKey: r('stranger-key.pem'),
    paths: { ca: join(dir, 'ca.pem'), serverCert: join(dir, 'server.pem'), serverKey: join(dir, 'server-key.pem'), clientCert: join(dir, 'client.pem'), clientKey: join(dir, 'client-key.pem') },
  };
}
