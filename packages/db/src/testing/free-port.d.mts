/**
 * A port nothing listens on, below the kernel's ephemeral range: a server that binds it later finds
 * it free, where a port the kernel hands out for port 0 can become an outgoing connection's local port.
 */
export function freePort(): Promise<number>;
