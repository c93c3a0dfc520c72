import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { Config } from "../config";
import type { Logger } from "../logger";
import { KeyRing } from "./keyring";

/**
 * The configured key ring, or outside production (where loadConfig requires the variable) one generated once
 * into a file beside the data, with a warning, so that `npm start` works with no set-up and what the key
 * protects stays readable across restarts.
 */
function configuredOrLocal(
  configured: KeyRing | null,
  file: string,
  variable: string,
  log: Logger,
): KeyRing {
  if (configured) return configured;
  if (!existsSync(file)) {
    writeFileSync(file, `local:${KeyRing.generateKey()}\n`, { mode: 0o600 });
    log.warn(
      { file },
      `generated a local key; set ${variable} in production and keep a copy of this file with the data`,
    );
  }
  return KeyRing.parse(readFileSync(file, "utf8"));
}

/** Seals personal data (ENCRYPTION_KEYS). */
export const loadKeyRing = (config: Config, log: Logger) =>
  configuredOrLocal(config.encryptionKeys, config.encryptionKeyFile, "ENCRYPTION_KEYS", log);

/** Keys the audit chain and signs its checkpoints (AUDIT_KEY). */
export const loadAuditKeys = (config: Config, log: Logger) =>
  configuredOrLocal(config.auditKeys, config.auditKeyFile, "AUDIT_KEY", log);
