import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { Config } from "../config";
import type { Logger } from "../logger";
import { KeyRing } from "./keyring";

/**
 * The key ring personal data is sealed with. Production must configure ENCRYPTION_KEYS (checked by
 * loadConfig); elsewhere a key is generated once into a file beside the data, with a warning, so that
 * `npm start` works with no set-up and the data stays readable across restarts.
 */
export function loadKeyRing(config: Config, log: Logger): KeyRing {
  if (config.encryptionKeys) return config.encryptionKeys;
  if (!existsSync(config.encryptionKeyFile)) {
    writeFileSync(config.encryptionKeyFile, `local:${KeyRing.generateKey()}\n`, { mode: 0o600 });
    log.warn(
      { file: config.encryptionKeyFile },
      "generated a local encryption key; set ENCRYPTION_KEYS in production and keep a copy of this file with the data",
    );
  }
  return KeyRing.parse(readFileSync(config.encryptionKeyFile, "utf8"));
}
