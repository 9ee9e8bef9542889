/**
 * The Linux KVM asynchronous page fault mechanism as services, in the "sanitized" design where the wait is split
 * into a schedule-based and a halt-based wait sharing one enqueue path.
 *
 * <ul>
 *   <li>Guest side: a {@link org.paravane.api.asyncpf.SleeperTable} per guest (the kernel's
 *       {@code async_pf_sleepers[256]}), the two {@link org.paravane.api.asyncpf.AsyncPfWaiter}s
 *       ({@code wait.mode=schedule}, {@code wait.mode=halt}) and the guest-side
 *       {@link org.paravane.api.asyncpf.PageFaultHandler}, which takes the {@link org.paravane.api.asyncpf.GuestFault}s
 *       of the guest kernel (the reason already read and cleared) and answers a
 *       {@link org.paravane.api.asyncpf.GuestFaultResult}. Both waiters follow one wait discipline,
 *       {@link org.paravane.api.asyncpf.WaitsInProgress}.</li>
 *   <li>Host side ({@code virt/kvm/async_pf.c}): {@link org.paravane.api.asyncpf.AsyncPfHost} attaches a
 *       {@link org.paravane.api.asyncpf.HostAsyncPf} to each vCPU of a backend that does not get async page faults
 *       from the kernel; it takes the backend's {@link org.paravane.api.asyncpf.HostFault}s, answers a
 *       {@link org.paravane.api.asyncpf.HostFaultResult}, issues tokens, fetches pages in the background and delivers
 *       "page ready". The two sides share no handler type.</li>
 * </ul>
 * The guest/host ABI (MSRs, the shared area, tokens) is in {@link org.paravane.api.asyncpf.AsyncPfAbi}.
 */
@Export
@Version("2.0.0")
package org.paravane.api.asyncpf;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
