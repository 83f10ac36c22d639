/** Where the docs pages load their scripts from: the Worker's own static assets (public/). */
export const STATIC_BASE = '/pyaudit/static';

/** ReDoc page. The standalone bundle comes from the redoc npm package, served by the Worker. */
export function redocPage(specUrl: string): string {
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <title>Audit Service - ReDoc</title>
    <meta charset="utf-8"/>
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <style>body { margin: 0; padding: 0; }</style>
  </head>
  <body>
    <redoc spec-url="${specUrl}"></redoc>
    <script src="${STATIC_BASE}/redoc/redoc.standalone.js"></script>
  </body>
</html>`;
}
