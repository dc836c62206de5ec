/**
 * The contract between the operator (the only writer of control data) and the front-doors (its
 * readers): the routing table, directory entries and leases, their JSON wire format and their Redis
 * key layout. Both sides depend on these types; {@code ContractWireFormatTest} pins the format so
 * that a change here is a deliberate, versioned one.
 */
package dev.homeport.contract;
