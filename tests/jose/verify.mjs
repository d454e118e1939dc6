// Verifies a hub response with panva/jose, an implementation independent of the hub's own.
//   node verify.mjs JWKS_FILE detached BODY_FILE SIGNATURE_FILE   (JSON body + X-Yici-Signature)
//   node verify.mjs JWKS_FILE compact JWS_FILE                    (Accept: application/jose)
// Prints "VERIFIED kid=… typ=…" and exits 0, or prints the reason and exits 1.
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, compactVerify, flattenedVerify, base64url } from 'jose';

const [jwksPath, mode, first, second] = process.argv.slice(2);
const jwks = createLocalJWKSet(JSON.parse(readFileSync(jwksPath, 'utf8')));
const options = { algorithms: ['ES256'] };
try {
  let result;
  if (mode === 'detached') {
    const body = readFileSync(first);
    const [protectedHeader, empty, signature] = readFileSync(second, 'utf8').trim().split('.');
    if (empty !== '') throw new Error('not a detached JWS');
    result = await flattenedVerify({ protected: protectedHeader, payload: base64url.encode(body), signature }, jwks, options);
  } else if (mode === 'compact') {
    result = await compactVerify(readFileSync(first, 'utf8').trim(), jwks, options);
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  console.log(`VERIFIED kid=${result.protectedHeader.kid} typ=${result.protectedHeader.typ}`);
} catch (e) {
  console.log(`NOT VERIFIED: ${e.code ?? ''} ${e.message}`);
  process.exit(1);
}
