#!/usr/bin/env node
/**
 * The verifier anyone can run (docs/integrity.md, "Verify without us"): Node and its built-in
 * crypto only, plus the self-contained algorithm files of src/integrity (loaded with
 * Node's type stripping), which are the same code the service runs.
 *
 *   Online:  npm run verify -- --url https://host --api-key KEY [--id 123 --id 456]
 *            fetches /integrity/public-key, every /integrity/blocks page and a proof per --id.
 *   Offline: npm run verify -- --blocks blocks.json --public-key key.pem [--proofs proofs.ndjson]
 *            [--export events.ndjson]
 *            blocks.json is a /integrity/blocks answer (or an array of blocks); key.pem a public
 *            key (PEM or base64, repeatable); proofs.ndjson one /integrity/proof answer a line;
 *            events.ndjson an export with integrity=true (GET /audit-events/export?format=ndjson&integrity=true).
 *
 * Checks: each block's hash and Ed25519 signature, the chain (seq 1.., prev_hash, positions),
 * and for each proof: SHA-256(canonical) = event_hash, the audit path leads to the block's
 * root, and the block is one of the verified ones. For each line of an export: its hash
 * recomputed from what the line says, its block among the verified ones and its position inside
 * that block's range; for every block the export holds whole, the Merkle root recomputed from
 * the lines (docs/integrity.md section 4). Exit code 0 when everything holds, 1 when
 * anything fails (each failure printed), 2 for bad usage.
 */
import { readFileSync } from 'node:fs';
import { blockHash, blockHeaderText, GENESIS_PREV_HASH } from '../src/integrity/block-header.ts';
import { canonicalEvent } from '../src/integrity/canonical.ts';
import { fromHex, leafHash, merkleRoot, rootFromAuditPath, sha256, toHex } from '../src/integrity/merkle.ts';
import { parsePublicKey, verifyText } from '../src/integrity/signing.ts';

function parseArgs(argv) {
  const args = { id: [], 'public-key': [] };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i]?.replace(/^--/, '');
    const value = argv[i + 1];
    if (!argv[i]?.startsWith('--') || value === undefined) usage(`bad argument ${argv[i]}`);
    if (Array.isArray(args[name])) args[name].push(value);
    else args[name] = value;
    i++;
  }
  return args;
}

function usage(problem) {
  console.error(
    `${problem}\nusage: npm run verify -- --url URL --api-key KEY [--id N]...\n       npm run verify -- --blocks blocks.json --public-key key.pem [--proofs proofs.ndjson] [--export events.ndjson]`,
  );
  process.exit(2);
}

const HEADER_FIELDS = [
  'seq',
  'prev_hash',
  'merkle_root',
  'event_count',
  'first_id',
  'last_id',
  'first_time',
  'last_time',
  'start_position',
  'end_position',
  'deletions_digest',
  'sealed_at',
  'key_id',
];
const headerOf = (block) => Object.fromEntries(HEADER_FIELDS.map((f) => [f, block[f]]));
const base64Bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

async function fetchJson(base, apiKey, path) {
  const response = await fetch(new URL(`/pyaudit/api/integrity/${path}`, base), { headers: { 'CSIQ-APIKEY': apiKey } });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

async function load(args) {
  if (args.url) {
    if (!args['api-key']) usage('--api-key is needed with --url');
    const keys = await fetchJson(args.url, args['api-key'], 'public-key');
    const blocks = [];
    for (let after = 0; ; ) {
      const page = await fetchJson(args.url, args['api-key'], `blocks?after_seq=${after}&limit=1000`);
      blocks.push(...page.blocks);
      if (page.next_after_seq === null) break;
      after = page.next_after_seq;
    }
    const proofs = [];
    for (const id of args.id)
      proofs.push(await fetchJson(args.url, args['api-key'], `proof?id=${encodeURIComponent(id)}`));
    const exportLines = args.export ? parseExport(readFileSync(args.export, 'utf8')) : undefined;
    return { keyTexts: keys.keys.map((k) => k.pem), blocks, proofs, exportLines };
  }
  if (!args.blocks || args['public-key'].length === 0) usage('give --url, or --blocks and --public-key');
  const blocksFile = JSON.parse(readFileSync(args.blocks, 'utf8'));
  const proofs = args.proofs
    ? readFileSync(args.proofs, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l))
    : [];
  return {
    keyTexts: args['public-key'].map((file) => readFileSync(file, 'utf8')),
    blocks: Array.isArray(blocksFile) ? blocksFile : blocksFile.blocks,
    proofs,
    exportLines: args.export ? parseExport(readFileSync(args.export, 'utf8')) : undefined,
  };
}

/** The lines of an NDJSON export: { line (1-based), event (parsed object, or null when unreadable) }. */
export function parseExport(text) {
  const lines = [];
  text.split('\n').forEach((l, i) => {
    if (l.trim() === '') return;
    try {
      lines.push({ line: i + 1, event: JSON.parse(l) });
    } catch {
      lines.push({ line: i + 1, event: null });
    }
  });
  return lines;
}

export async function verify({ keyTexts, blocks, proofs, exportLines }) {
  const failures = [];
  const keys = new Map();
  for (const text of keyTexts) {
    const key = await parsePublicKey(text);
    keys.set(key.keyId, key);
  }
  const verified = new Map();
  const sorted = [...blocks].sort((a, b) => a.seq - b.seq);
  let previous = null;
  for (const block of sorted) {
    const header = headerOf(block);
    const hash = blockHash(header);
    if (hash !== block.block_hash) failures.push({ block: block.seq, reason: 'block_hash_mismatch' });
    const key = keys.get(header.key_id);
    if (!key) failures.push({ block: block.seq, reason: 'unknown_key' });
    else if (!(await verifyText(key, blockHeaderText(header), base64Bytes(block.signature)))) {
      failures.push({ block: block.seq, reason: 'bad_signature' });
    }
    if (previous === null) {
      if (block.seq === 1 && header.prev_hash !== GENESIS_PREV_HASH)
        failures.push({ block: 1, reason: 'chain_broken' });
    } else if (previous.seq !== block.seq - 1) {
      failures.push({ block: block.seq - 1, reason: 'block_missing' });
    } else {
      if (header.prev_hash !== blockHash(headerOf(previous)))
        failures.push({ block: block.seq, reason: 'chain_broken' });
      if (header.start_position !== previous.end_position) failures.push({ block: block.seq, reason: 'range_gap' });
    }
    verified.set(block.seq, hash);
    previous = block;
  }
  for (const proof of proofs) {
    const id = proof.event_id;
    const eventHash = toHex(sha256(new TextEncoder().encode(proof.canonical)));
    if (eventHash !== proof.event_hash)
      failures.push({ block: proof.block.seq, event_id: id, reason: 'event_changed' });
    const root = rootFromAuditPath(
      proof.leaf_index,
      proof.tree_size,
      leafHash(fromHex(proof.event_hash)),
      proof.audit_path.map(fromHex),
    );
    if (root === null || toHex(root) !== proof.block.merkle_root) {
      failures.push({ block: proof.block.seq, event_id: id, reason: 'proof_invalid' });
    }
    if (proof.tree_size !== proof.block.event_count)
      failures.push({ block: proof.block.seq, event_id: id, reason: 'proof_invalid' });
    // The proof's block must be the very block the chain verified (same header hash).
    const known = verified.get(proof.block.seq);
    if (known === undefined) failures.push({ block: proof.block.seq, event_id: id, reason: 'block_not_verified' });
    else if (known !== blockHash(headerOf(proof.block)))
      failures.push({ block: proof.block.seq, event_id: id, reason: 'block_differs' });
  }
  const exported = exportLines ? verifyExport(exportLines, sorted, verified, proofs, failures) : {};
  return { ok: failures.length === 0, blocks: sorted.length, proofs: proofs.length, ...exported, failures };
}

/** "<writexid>:<id>" as a pair of BigInts, comparable in position order. */
const positionOf = (text) => {
  const m = /^(\d+):(\d+)$/.exec(String(text));
  return m ? [BigInt(m[1]), BigInt(m[2])] : null;
};
const comparePositions = (a, b) => (a[0] !== b[0] ? (a[0] < b[0] ? -1 : 1) : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);

/** The event object's EventTimestamp (MM-DD-YYYY HH:MM:SS) is the local part of its EventTimestampISO. */
function timesAgree(event, utcTime) {
  const iso = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}:\d{2}:\d{2})\.\d{3}-0[56]:00$/.exec(String(event.EventTimestampISO));
  if (!iso || typeof utcTime !== 'string') return false;
  const utcMs = Date.parse(`${utcTime.slice(0, 23)}Z`);
  return (
    Date.parse(event.EventTimestampISO) === utcMs && event.EventTimestamp === `${iso[2]}-${iso[3]}-${iso[1]} ${iso[4]}`
  );
}

/** The hash of what an export line says (docs/integrity.md section 1). */
function hashOfLine(event) {
  const i = event.Integrity;
  const canonical = canonicalEvent({
    id: event.Id,
    companyId: event.CompanyId,
    utcInstant: i.utc_time,
    functionality: event.Functionality,
    eventType: event.EventType,
    storeId: event.StoreLocationID,
    username: event.UserName,
    message: event.Message,
    status: event.Status,
    additionalData: event.AdditionalData,
    eventId: i.client_event_id,
  });
  return toHex(sha256(new TextEncoder().encode(canonical)));
}

/**
 * Checks an export made with integrity=true against the verified blocks: each line's hash from
 * its content, its block and position, and the Merkle root of every block the export holds whole.
 * Events of a block the export holds only partly are bound to it by their position; a proof
 * (--proofs / --id) for such an event proves its inclusion, and must carry the line's hash.
 */
function verifyExport(lines, sortedBlocks, verified, proofs, failures) {
  const blockBySeq = new Map(sortedBlocks.map((b) => [b.seq, b]));
  const proofById = new Map(proofs.map((p) => [String(p.event_id), p]));
  const byBlock = new Map();
  const seenIds = new Set();
  let sealed = 0;
  let proven = 0;
  for (const { line, event } of lines) {
    const id = event?.Id ?? null;
    const fail = (reason, block = null) => failures.push({ line, block, event_id: id, reason });
    if (event === null || typeof event !== 'object') {
      fail('line_unreadable');
      continue;
    }
    const integrity = event.Integrity;
    if (!integrity || typeof integrity !== 'object') {
      fail('integrity_missing');
      continue;
    }
    if (seenIds.has(String(id))) fail('event_duplicated', integrity.block ?? null);
    seenIds.add(String(id));
    let hash = null;
    try {
      hash = hashOfLine(event);
    } catch {
      // a value no canonical encoding can hold (NaN, a non-JSON type): the line was edited
    }
    if (hash !== integrity.event_hash || !timesAgree(event, integrity.utc_time))
      fail('event_changed', integrity.block ?? null);
    if (integrity.block === null || integrity.block === undefined) continue;
    sealed++;
    const block = blockBySeq.get(integrity.block);
    const position = positionOf(integrity.position);
    if (!block || !verified.has(integrity.block)) {
      fail('block_not_verified', integrity.block);
      continue;
    }
    const start = positionOf(block.start_position);
    const end = positionOf(block.end_position);
    if (!position || !start || !end || comparePositions(position, start) <= 0 || comparePositions(position, end) > 0) {
      fail('position_outside_block', integrity.block);
      continue;
    }
    const members = byBlock.get(integrity.block) ?? [];
    members.push({ position, hash: integrity.event_hash });
    byBlock.set(integrity.block, members);
    const proof = proofById.get(String(id));
    if (proof) {
      if (proof.event_hash !== integrity.event_hash || proof.block?.seq !== integrity.block)
        fail('proof_differs', integrity.block);
      else proven++;
    }
  }
  let completeBlocks = 0;
  for (const [seq, members] of byBlock) {
    const block = blockBySeq.get(seq);
    // Fewer lines than the block holds: a filtered export; its root cannot be recomputed.
    if (members.length < block.event_count) continue;
    members.sort((a, b) => comparePositions(a.position, b.position));
    let root = null;
    try {
      root = toHex(merkleRoot(members.map((m) => fromHex(m.hash))));
    } catch {
      // a hash that is not hex: the root cannot match
    }
    if (root !== block.merkle_root) failures.push({ line: null, block: seq, event_id: null, reason: 'root_mismatch' });
    else {
      completeBlocks++;
      const withProof = members.filter((m) => proofById.has(String(m.position[1]))).length;
      proven += members.length - withProof;
    }
  }
  return { events: lines.length, events_sealed: sealed, events_proven: proven, complete_blocks: completeBlocks };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const report = await verify(await load(parseArgs(process.argv.slice(2))));
  console.log(JSON.stringify(report, null, 2));
  process.exit(report.ok ? 0 : 1);
}
