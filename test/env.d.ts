declare namespace Cloudflare {
  interface Env {
    TEST_DATABASE_URL: string;
    TEST_LIFECYCLE_DATABASE_URL: string;
    TEST_NEON_WS_PROXY: string;
    TEST_EMBEDDED: string;
    TEST_MIGRATIONS: string;
    TEST_FAULT_PROXY_URL: string;
    TEST_FAULT_PROXY_CONTROL: string;
    TEST_LIBREOFFICE_URL: string;
  }
}
