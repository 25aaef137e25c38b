/** Intra-op parallelism: the per-session {@link dev.kiln.runtime.parallel.ThreadTeam}. */
package dev.kiln.runtime.parallel;
