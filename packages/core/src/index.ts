export { AppError, ERROR_STATUS, isAppError, isErrorCode } from "./errors";
export type { ErrorCode } from "./errors";
export { MEMBER_ROLES, memberRoleSchema, ROLE_LABELS, CAPABILITIES, roleCan, navSectionsFor } from "./roles";
export type { MemberRole, Capability, NavSection } from "./roles";
export {
  PART_STATUSES,
  partStatusSchema,
  PART_TRANSITIONS,
  canTransition,
  CLAIMABLE_STATUSES,
  STATUS_LABELS,
} from "./status";
export type { PartStatus } from "./status";
export { sha256HexSchema, blobKey } from "./content-address";
export {
  DEFAULT_TAXONOMY,
  taxonomySchema,
  featureTypeSchema,
  parameterDefinitionSchema,
  crosswalkSchema,
} from "./taxonomy";
export type { Taxonomy, FeatureType } from "./taxonomy";
export { emailSchema, passwordSchema, workspaceNameSchema, slugify, slugSchema, uuidSchema } from "./validation";
