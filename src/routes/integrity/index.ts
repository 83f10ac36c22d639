import { createRouter } from '../define-route';
import { blocksHandler, blocksRoute } from './blocks';
import { proofHandler, proofRoute } from './proof';
import { publicKeyHandler, publicKeyRoute } from './public-key';
import { sealHandler, sealRoute } from './seal';
import { verifyHandler, verifyRoute } from './verify';

/** Integrity (issue 14, docs/integrity.md): seal (admin), verify, proof, blocks, public key (events:read). */
export const integrityRoutes = createRouter()
  .openapi(sealRoute, sealHandler)
  .openapi(verifyRoute, verifyHandler)
  .openapi(proofRoute, proofHandler)
  .openapi(blocksRoute, blocksHandler)
  .openapi(publicKeyRoute, publicKeyHandler);
