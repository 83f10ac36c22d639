#!/usr/bin/env node
/**
 * Makes an Ed25519 key pair for integrity blocks (docs/integrity.md): prints the private key as
 * PKCS#8 DER in base64 (the INTEGRITY_SIGNING_KEY secret) and the public key as PEM.
 *   npm run integrity:key
 *   npx wrangler secret put INTEGRITY_SIGNING_KEY   # paste the first line
 */
import { generateKeyPairSync } from 'node:crypto';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
console.log(privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'));
console.log(publicKey.export({ format: 'pem', type: 'spki' }).toString().trim());
