/** Where the service lives: the one place these prefixes are written. */
export const BASE_PATH = '/pyaudit';
/** Every area's sub-router is mounted here (src/routes/index.ts); route paths are relative to it. */
export const API_PREFIX = `${BASE_PATH}/api`;
