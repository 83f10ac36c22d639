export declare const SQL_DIR: string;
export declare function readMigrations(): { name: string; sql: string }[];
