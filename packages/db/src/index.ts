export { createPool } from "./pool";
export type { Pool, PoolClient, PoolOptions } from "./pool";
export { withUser, withService } from "./session";
export type { Claims, RequestContext } from "./session";
export { toAppError } from "./errors";
export { migrate, listMigrations } from "./migrate";
export type { MigrateResult, MigrationFile } from "./migrate";
