/**
 * The protocol ids a Hyperspace node serves on its one transport (DESIGN.md §3: one host per
 * process, services mounted by protocol). libp2p negotiates them per stream (multistream-select);
 * the in-memory transport tags each packet with one. A version bump in an id is a wire break.
 */

/** S/Kademlia DHT (whitepaper §1.1): node-node lookups, records and provider announcements. */
export const DHT_PROTOCOL = '/hyperspace/kad/1.0.0';
