import pino from "pino";

export type Logger = pino.Logger;

/**
 * JSON lines. Servers log to stdout; command-line tools pass fd 2 so their stdout stays clean
 * (the token command prints nothing but the token). Variables are never logged: they carry personal data.
 */
export const createLogger = (level: string, fd: 1 | 2 = 1): Logger =>
  pino({ level, base: { service: "senim" }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ fd, sync: fd === 2 }));
