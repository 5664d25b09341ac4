/** Documentation of one setting, kept on its zod schema with `.meta()` and rendered into docs/configuration.md by `npm run docs:config`. */
export type SettingMeta = {
  description: string;
  /** Unit of a number: ms, s, bytes, MB or count. */
  unit?: string;
};

/** Builds the `.meta()` of a setting. */
export function setting(description: string, unit?: string): SettingMeta {
  return unit === undefined ? { description } : { description, unit };
}
