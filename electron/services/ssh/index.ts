// Public surface of the SSH layer (what the inventory, contract router and drivers import).
export { SshPool, SshRunner, type HostResolver, type ResolvedHost, type SshPoolOptions, type SshPoolEvents } from './pool';
export { SshError, isSshError, type SshErrorCode, type CommandErrorCode } from './errors';
export { MemoryHostKeyStore, fingerprint, describeKey, type HostKeyStore, type StoredHostKey } from './hostkeys';
export { parseKnownHosts, loadKnownHosts, defaultKnownHostsFiles } from './knownhosts';
export { loadKeyFile, checkKeyData, type LoadedKey } from './keyfile';
export { parseSshConfig, readSshConfig, aliasToHostInput, type SshConfigAlias } from './sshconfig';
export { probeCapabilities, parseProbeOutput, availability, type Feature, type Availability } from './probe';
export type { SecretKind } from './connect';
