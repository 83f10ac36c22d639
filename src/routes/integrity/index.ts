import { createRouter } from '../define-route';
import { blocksRoute } from './blocks';
import { proofRoute } from './proof';
import { publicKeyRoute } from './public-key';
import { sealRoute } from './seal';
import { verifyRoute } from './verify';

/** Integrity (issue 14, docs/integrity.md): seal (admin), verify, proof, blocks, public key (events:read). */
export const integrityRoutes = createRouter(sealRoute, verifyRoute, proofRoute, blocksRoute, publicKeyRoute);
