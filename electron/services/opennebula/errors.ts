// oned's answers, decoded: every call returns [ok, value, errcode, errobject]; a failure becomes a
// OnedError whose message says in words what happened and what to do (oned's own text kept after).
// Codes: OpenNebula api.rst (0x0100 AUTHENTICATION ... 0x8000 LOCKED).

export const ONE_ERR = {
  SUCCESS: 0x0000,
  AUTHENTICATION: 0x0100,
  AUTHORIZATION: 0x0200,
  NO_EXISTS: 0x0400,
  ACTION: 0x0800,
  XML_RPC_API: 0x1000,
  INTERNAL: 0x2000,
  ALLOCATE: 0x4000,
  LOCKED: 0x8000,
} as const;

export type OneErrorKind = 'authentication' | 'authorization' | 'no-such-object' | 'action' | 'api' | 'internal' | 'allocate' | 'locked' | 'unknown' | 'transport' | 'protocol';

const KIND_BY_CODE: Record<number, OneErrorKind> = {
  [ONE_ERR.AUTHENTICATION]: 'authentication',
  [ONE_ERR.AUTHORIZATION]: 'authorization',
  [ONE_ERR.NO_EXISTS]: 'no-such-object',
  [ONE_ERR.ACTION]: 'action',
  [ONE_ERR.XML_RPC_API]: 'api',
  [ONE_ERR.INTERNAL]: 'internal',
  [ONE_ERR.ALLOCATE]: 'allocate',
  [ONE_ERR.LOCKED]: 'locked',
};

export class OnedError extends Error {
  constructor(
    readonly kind: OneErrorKind,
    message: string,
    readonly code: number | null,
    /** Id of the object that caused the error (4th element), when oned gives one. */
    readonly objectId: number | null,
    /** oned's own text. */
    readonly detail: string,
  ) {
    super(message);
    this.name = 'OnedError';
  }
}

/** What went wrong, in words, for `method` (e.g. one.image.allocate) with oned's text after. */
export function describeOneError(code: number, detail: string, method: string, objectId: number | null): { kind: OneErrorKind; message: string } {
  const kind = KIND_BY_CODE[code] ?? 'unknown';
  const obj = objectId !== null && objectId >= 0 ? ` (object ${objectId})` : '';
  const said = detail.trim() ? ` oned said: ${detail.trim()}` : '';
  const head = (() => {
    switch (kind) {
      case 'authentication': return 'OpenNebula refused the session string (authentication failed): check the user and password or token on the Datastores page (Front-end) and save it again.';
      case 'authorization': return `The OpenNebula user may not do ${method}${obj} (authorization failed): use an administrator (oneadmin group) session, or grant the rights with ACLs.`;
      case 'no-such-object': return `OpenNebula has no such object for ${method}${obj}: it was deleted or never existed; reload the Datastores page.`;
      case 'action': return `OpenNebula refused ${method}${obj} in the object's current state (action failed): check its state on the Datastores page and try again.`;
      case 'api': return `OpenNebula refused the call ${method} as malformed (XML-RPC API error): a Portico bug or a front-end version it does not know.`;
      case 'internal': return `OpenNebula failed inside ${method}${obj} (internal error): check oned.log on the front-end.`;
      case 'allocate': return `OpenNebula could not create the object (${method}, allocate failed): the template was refused.`;
      case 'locked': return `The OpenNebula object${obj} is locked, so ${method} was refused: unlock it (one*.unlock or Sunstone) or wait for the operation holding it, then try again.`;
      default: return `OpenNebula answered ${method} with error code ${code}${obj}.`;
    }
  })();
  return { kind, message: head + said };
}

/** Decodes one response value: the value on success, a OnedError otherwise. */
export function decodeOneResponse(method: string, res: unknown): unknown {
  if (!Array.isArray(res) || res.length < 2 || typeof res[0] !== 'boolean') {
    throw new OnedError('protocol', `The front-end's answer to ${method} is not OpenNebula's [ok, value, errcode] array: is the endpoint really oned (port 2633, path /RPC2)?`, null, null, JSON.stringify(res)?.slice(0, 200) ?? '');
  }
  const [ok, value, code, obj] = res as [boolean, unknown, unknown, unknown];
  if (ok) return value;
  const errcode = typeof code === 'number' ? code : -1;
  const objectId = typeof obj === 'number' ? obj : null;
  const detail = typeof value === 'string' ? value : JSON.stringify(value) ?? '';
  const d = describeOneError(errcode, detail, method, objectId);
  throw new OnedError(d.kind, d.message, errcode, objectId, detail);
}
