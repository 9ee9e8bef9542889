package org.paravane.asyncpf.host;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.paravane.api.asyncpf.AsyncPfAbi.EN_DELIVERY_AS_INT;
import static org.paravane.api.asyncpf.AsyncPfAbi.EN_ENABLED;
import static org.paravane.api.asyncpf.AsyncPfAbi.EN_SEND_ALWAYS;
import static org.paravane.api.asyncpf.AsyncPfAbi.FLAG_PAGE_NOT_PRESENT;
import static org.paravane.api.asyncpf.AsyncPfAbi.MSR_ASYNC_PF_ACK;
import static org.paravane.api.asyncpf.AsyncPfAbi.MSR_ASYNC_PF_EN;
import static org.paravane.api.asyncpf.AsyncPfAbi.MSR_ASYNC_PF_INT;
import static org.paravane.api.asyncpf.AsyncPfAbi.PER_VCPU_LIMIT;
import static org.paravane.api.asyncpf.AsyncPfAbi.WAKE_ALL_TOKEN;
import static org.paravane.asyncpf.host.HostFixture.VECTOR;
import static org.paravane.asyncpf.host.HostFixture.page;
import static org.paravane.asyncpf.testing.Await.await;

import java.lang.foreign.ValueLayout;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.paravane.api.asyncpf.HostFaultResult;
import org.paravane.api.asyncpf.HostFaultResult.Failed;
import org.paravane.api.asyncpf.HostFaultResult.Injected;
import org.paravane.api.asyncpf.HostFaultResult.Present;
import org.paravane.api.asyncpf.HostFaultResult.Waited;
import org.paravane.api.asyncpf.HostAsyncPf;
import org.paravane.api.asyncpf.HostFault;
import org.paravane.api.asyncpf.WaitMode;
import org.paravane.api.asyncpf.WaitOutcome;
import org.paravane.asyncpf.testing.ArenaGuestMemory;
import org.paravane.asyncpf.testing.TestPort;
import org.paravane.testkit.GatedPageSource;

/** The host engine of one vCPU against §7 of docs/async-page-faults.md and the corner cases of §8 that apply to it. */
class VcpuAsyncPfTest {

    private HostFixture host;

    private HostFixture host(int vcpu) {
        host = new HostFixture(vcpu, new GatedPageSource().holdAll());
        return host;
    }

    @AfterEach
    void tearDown() {
        if (host != null) {
            for (int p = 0; p < 512; p++) {
                host.source.release(page(p));
            }
            host.close();
        }
    }

    private static int injectedToken(HostFaultResult d) {
        assertThat(d).isInstanceOf(Injected.class);
        return ((Injected) d).token();
    }

    // ---- enabling: the MSR rules ----

    @Test
    void enableWithoutVectorIsGeneralProtection() {
        HostFixture h = host(1);
        assertThatThrownBy(() -> h.apf.writeMsr(MSR_ASYNC_PF_EN, h.areaAddress() | EN_ENABLED | EN_DELIVERY_AS_INT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("#GP").hasMessageContaining("MSR_KVM_ASYNC_PF_INT");
        assertThat(h.apf.isEnabled()).isFalse();
        assertThat(h.apf.readMsr(MSR_ASYNC_PF_EN)).isZero();
    }

    @Test
    void reservedBitsAreGeneralProtection() {
        HostFixture h = host(1);
        h.apf.writeMsr(MSR_ASYNC_PF_INT, VECTOR);
        assertThatThrownBy(() -> h.apf.writeMsr(MSR_ASYNC_PF_EN, h.areaAddress() | EN_ENABLED | EN_DELIVERY_AS_INT | 0x10))
                .hasMessageContaining("reserved bits 5:4");
        assertThatThrownBy(() -> h.apf.writeMsr(MSR_ASYNC_PF_INT, 0x1EC)).hasMessageContaining("reserved bits 63:8");
        assertThatThrownBy(() -> h.apf.writeMsr(MSR_ASYNC_PF_INT, 14)).hasMessageContaining("exception vector");
        assertThatThrownBy(() -> h.apf.writeMsr(0x4b564d03, 1)).hasMessageContaining("not an async page fault MSR");
        assertThat(h.apf.readMsr(MSR_ASYNC_PF_INT)).isEqualTo(VECTOR);
    }

    @Test
    void areaOutsideGuestRamIsGeneralProtection() {
        HostFixture h = host(1);
        h.apf.writeMsr(MSR_ASYNC_PF_INT, VECTOR);
        assertThatThrownBy(() -> h.apf.writeMsr(MSR_ASYNC_PF_EN, 0x7000_0000L | EN_ENABLED | EN_DELIVERY_AS_INT))
                .hasMessageContaining("0x70000000").hasMessageContaining("not usable guest RAM");
        assertThat(h.apf.isEnabled()).isFalse();
    }

    @Test
    void enabledWithoutDeliveryAsIntStaysOff() {   // C25: a pre-5.8 guest gets host-side waits only
        HostFixture h = host(1);
        h.apf.writeMsr(MSR_ASYNC_PF_INT, VECTOR);
        h.apf.writeMsr(MSR_ASYNC_PF_EN, h.areaAddress() | EN_ENABLED);
        assertThat(h.apf.isEnabled()).isFalse();
        Future<HostFaultResult> f = h.faultOnVcpuThread(3);
        h.awaitHostWaiters(1);
        h.source.release(page(3));
        assertThat(get(f)).isInstanceOf(Waited.class);
        assertThat(h.port.pageFaults).isEmpty();
    }

    @Test
    void everyEnableQueuesAWakeAll() {   // C22: also what a migrated guest's MSR restore does
        HostFixture h = host(1);
        h.enable(0);
        assertThat(h.apf.queuedCount()).isEqualTo(1);
        h.apf.checkInvariants();
        h.apf.beforeEntry();
        assertThat(h.slotToken()).isEqualTo(WAKE_ALL_TOKEN);
        assertThat(h.port.interrupts).containsExactly(VECTOR);
        h.guestAck();
        h.enable(0);   // re-enable (resume, migration restore)
        h.apf.beforeEntry();
        assertThat(h.port.interrupts).containsExactly(VECTOR, VECTOR);
        assertThat(h.apf.stats().wakeAlls()).isEqualTo(2);
        assertThat(h.apf.stats().outstanding()).isZero();
    }

    @Test
    void wakeAllIsNotQueuedWhileCompletionsWait() {   // kvm_async_pf_wakeup_all returns early when done is non-empty
        HostFixture h = host(1);
        h.enableAndTakeWakeAll(0);
        int t = injectedToken(h.fault(1));
        h.source.release(page(1));
        h.awaitCompletions();
        h.enable(0);
        assertThat(h.apf.queuedCount()).as("the async fault only").isEqualTo(1);
        h.apf.beforeEntry();
        assertThat(h.slotToken()).isEqualTo(t);
    }

    // ---- tokens ----

    @Test
    void tokenIsIdShiftedOverVcpuAndStartsAtOne() {
        HostFixture h = host(5);
        h.enableAndTakeWakeAll(0);
        assertThat(injectedToken(h.fault(1))).isEqualTo((1 << 12) | 5);
        assertThat(injectedToken(h.fault(2))).isEqualTo((2 << 12) | 5);
        assertThat(h.port.pageFaults).extracting(TestPort.PageFaultInjection::cr2).containsExactly(0x1005L, 0x2005L);
        assertThat(h.port.pageFaults).allSatisfy(pf -> assertThat(pf.errorCode()).isZero());
    }

    @Test
    void token0NeverIssuedWhenTheIdWraps() {   // C5: the id restarts at 1 when id << 12 wraps to 0
        HostFixture h = host(0);
        h.enableAndTakeWakeAll(0);
        h.apf.setNextId(0x100000);   // (0x100000 << 12) == 0
        assertThat(injectedToken(h.fault(1))).isEqualTo(1 << 12);
        h.apf.setNextId(0);
        assertThat(injectedToken(h.fault(2))).isEqualTo(2 << 12).isNotZero();
    }

    @Test
    void tokenWakeAllNeverIssuedForVcpu4095() {   // C6: (0xFFFFF << 12) | 0xFFF would be the wake-all token
        HostFixture h = host(0xFFF);
        h.enableAndTakeWakeAll(0);
        h.apf.setNextId(0xFFFFF);
        int t = injectedToken(h.fault(1));
        assertThat(t).isNotEqualTo(WAKE_ALL_TOKEN).isEqualTo((1 << 12) | 0xFFF);
    }

    @Test
    void tokenStillOutstandingIsSkippedAfterAWrap() {   // C6: token reuse
        HostFixture h = host(2);
        h.enableAndTakeWakeAll(0);
        int first = injectedToken(h.fault(1));
        h.apf.setNextId(1);   // as if 2^20 - 1 tokens had been issued since
        int second = injectedToken(h.fault(2));
        assertThat(second).isNotEqualTo(first).isEqualTo((2 << 12) | 2);
    }

    @Test
    void vcpuIdBeyondTheTokenBitsIsRefused() {
        HostFixture h = host(1);
        assertThatThrownBy(() -> h.service.attach(new TestPort(4096, h.memory.memory())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vCPU id 4096");
    }

    // ---- the async path, page ready, the handshake ----

    @Test
    void asyncFaultInjectsNotPresentThenPageReadyWhenFetched() {
        HostFixture h = host(1);
        h.enableAndTakeWakeAll(0);
        int kicks = h.port.kicks.get();
        int t = injectedToken(h.fault(7));
        assertThat(h.flags()).isEqualTo(FLAG_PAGE_NOT_PRESENT);
        assertThat(h.port.pageFaults).hasSize(1);
        assertThat(h.apf.recordedGfns()).containsExactly(page(7) >>> 12);
        h.apf.checkInvariants();

        h.apf.beforeEntry();
        assertThat(h.port.interrupts).as("nothing is ready yet").isEmpty();

        h.source.release(page(7));
        h.awaitCompletions();
        // the fetch thread kicks right after it records the completion, outside the lock
        await(() -> h.port.kicks.get() > kicks, "the completion kicks the vCPU");
        assertThat(h.port.kicks.get()).as("exactly one kick").isEqualTo(kicks + 1);
        h.apf.beforeEntry();
        assertThat(h.slotToken()).isEqualTo(t);
        assertThat(h.port.interrupts).containsExactly(VECTOR);
        assertThat(h.apf.recordedGfns()).isEmpty();
        assertThat(h.apf.pageReadyPending()).isTrue();
        assertThat(h.memory.memory().isPresent(page(7))).isTrue();
        h.guestAck();
        assertThat(h.apf.pageReadyPending()).isFalse();
        assertThat(h.apf.stats()).isEqualTo(new HostAsyncPf.Stats(1, 0, 0, 2, 1, 0, 0, 0));
        h.apf.checkInvariants();
    }

    @Test
    void fetchesRunOnTheFetchPoolNeverOnTheVcpuThread() {
        HostFixture h = host(1);
        h.enableAndTakeWakeAll(0);
        h.fault(1);
        h.source.release(page(1));
        h.awaitCompletions();
        assertThat(h.source.readerThreads()).isNotEmpty().allSatisfy(name -> assertThat(name).startsWith("paravane-apf-fetch-"));
    }

    @Test
    void ackHandshakeKeepsOneReadyInFlight() {   // C15, I5
        HostFixture h = host(1);
        h.enableAndTakeWakeAll(0);
        int t1 = injectedToken(h.fault(1));
        int t2 = injectedToken(h.fault(2));
        h.source.release(page(1));
        h.source.release(page(2));
        await(() -> h.apf.doneCount() == 2, "both fetched");

        h.apf.beforeEntry();
        assertThat(h.port.interrupts).hasSize(1);
        int first = h.slotToken();
        assertThat(first).isIn(t1, t2);

        h.apf.beforeEntry();
        assertThat(h.port.interrupts).as("the slot is taken").hasSize(1);

        h.area().set(ValueLayout.JAVA_INT, 4, 0);   // the guest cleared the slot but has not ACKed yet
        h.apf.beforeEntry();
        assertThat(h.port.interrupts).as("no ACK yet: still one in flight").hasSize(1);

        h.apf.writeMsr(MSR_ASYNC_PF_ACK, 1);   // the ACK rescans at once
        assertThat(h.port.interrupts).hasSize(2);
        assertThat(h.slotToken()).isEqualTo(first == t1 ? t2 : t1);
        h.guestAck();
        assertThat(h.apf.stats().outstanding()).isZero();
        h.apf.checkInvariants();
    }

    @Test
    void ackRaceKickSuppressedWhilePageReadyPending() {   // kvm_arch_async_page_present_queued
        HostFixture h = host(1);
        h.enableAndTakeWakeAll(0);
        injectedToken(h.fault(1));
        injectedToken(h.fault(2));
        int before = h.port.kicks.get();
        h.source.release(page(1));
        h.awaitCompletions();
        await(() -> h.port.kicks.get() > before, "page 1's kick");
        h.apf.beforeEntry();   // page 1's ready is now in flight
        assertThat(h.apf.pageReadyPending()).isTrue();
        int kicks = h.port.kicks.get();
        h.source.release(page(2));
        await(h.apf::hasCompletions, "page 2 done");
        await(() -> h.service.pendingFetches() == 0, "page 2's fetch over, kick or not");
        assertThat(h.port.kicks.get()).as("no kick while a ready is in flight").isEqualTo(kicks);
        h.guestAck();
        assertThat(h.port.interrupts).as("the ACK delivered page 2").hasSize(2);
    }

    @Test
    void kickOnlyOnTheEmptyToNonEmptyEdge() {
        HostFixture h = host(1);
        h.enableAndTakeWakeAll(0);
        h.fault(1);
        h.fault(2);
        int kicks = h.port.kicks.get();
        h.source.release(page(1));
        h.awaitCompletions();
        h.source.release(page(2));
        await(() -> h.apf.doneCount() == 2, "page 2 done");
        await(() -> h.port.kicks.get() > kicks, "page 1's kick");
        await(() -> h.service.pendingFetches() == 0, "both fetches over");
        assertThat(h.port.kicks.get()).isEqualTo(kicks + 1);
    }

    @Test
    void fetchErrorStillDeliversReadyAndTheRetryFails() {
        HostFixture h = host(1);
        h.enableAndTakeWakeAll(0);
        h.source.fail(page(9));
        int t = injectedToken(h.fault(9));
        h.source.release(page(9));
        h.awaitCompletions();
        h.apf.beforeEntry();
        assertThat(h.slotToken()).as("the guest is told so it retries").isEqualTo(t);
        h.guestAck();
        HostFaultResult retry = h.fault(9);
        assertThat(retry).isInstanceOf(Failed.class);
        assertThat(((Failed) retry).guestAddress()).isEqualTo(page(9));
        assertThat(((Failed) retry).cause()).contains("disk on fire");
        assertThat(h.apf.stats().fetchErrors()).isEqualTo(1);
        // the failure is reported once; a later access starts a new fetch
        assertThat(h.fault(9)).isInstanceOf(Injected.class);
    }

    @Test
    void faultOnAPageAlreadyPresentIsNotAsync() throws Exception {
        HostFixture h = host(1);
        h.enableAndTakeWakeAll(0);
        h.source.release(page(4));
        h.memory.memory().ensurePresent(page(4), 4096);
        assertThat(h.fault(4)).isInstanceOf(Present.class);
        assertThat(h.port.pageFaults).isEmpty();
    }

    // ---- C7: the same gfn again ----

    @Test
    void sameGfnTwiceHaltsInsteadOfSecondToken() {
        HostFixture h = host(1);
        h.enableAndTakeWakeAll(0);
        int t = injectedToken(h.fault(3));
        Future<HostFaultResult> again = h.faultOnVcpuThread(3);
        h.awaitHostWaiters(1);
        assertThat(h.port.pageFaults).as("no second token").hasSize(1);
        h.source.release(page(3));
        assertThat(get(again)).isEqualTo(new Waited(t, WaitMode.HALT, WaitOutcome.WOKEN));
        assertThat(h.apf.stats().repeatedFaults()).isEqualTo(1);
        h.apf.beforeEntry();
        assertThat(h.slotToken()).as("the injected fault's ready still comes").isEqualTo(t);
        h.apf.checkInvariants();
    }

    // ---- C8: the 65th outstanding fault ----

    @Test
    void sixtyFifthFaultIsSynchronous() {
        HostFixture h = host(1);
        h.enableAndTakeWakeAll(0);
        Set<Integer> tokens = new HashSet<>();
        for (int p = 0; p < PER_VCPU_LIMIT; p++) {
            tokens.add(injectedToken(h.fault(p)));
            h.source.release(page(p));   // fetched, but outstanding until delivered
        }
        await(() -> h.apf.doneCount() == PER_VCPU_LIMIT, "64 fetched");
        assertThat(tokens).hasSize(PER_VCPU_LIMIT);
        assertThat(h.apf.stats().outstanding()).isEqualTo(PER_VCPU_LIMIT);
        h.apf.checkInvariants();

        Future<HostFaultResult> sixtyFifth = h.faultOnVcpuThread(PER_VCPU_LIMIT);
        h.awaitHostWaiters(1);
        assertThat(h.port.pageFaults).hasSize(PER_VCPU_LIMIT);
        h.source.release(page(PER_VCPU_LIMIT));
        HostFaultResult d = get(sixtyFifth);
        assertThat(d).isInstanceOf(Waited.class);
        assertThat(((Waited) d).mode()).isEqualTo(WaitMode.SCHEDULE);
        assertThat(((Waited) d).outcome()).isEqualTo(WaitOutcome.WOKEN);
        assertThat(tokens).doesNotContain(((Waited) d).token());
        assertThat(h.apf.stats().syncFaults()).isEqualTo(1);
        assertThat(h.apf.stats().outstanding()).as("the synchronous fault is not queued work").isEqualTo(PER_VCPU_LIMIT);
        assertThat(h.memory.memory().isPresent(page(PER_VCPU_LIMIT))).isTrue();
        h.apf.checkInvariants();
    }

    // ---- can-do / can-deliver gating ----

    @Test
    void interruptsBlockedFaultIsServedWithoutAToken() {   // C9 on the host: never inject into IF=0
        HostFixture h = host(1);
        h.enableAndTakeWakeAll(0);
        h.port.interruptsAllowed = false;
        Future<HostFaultResult> f = h.faultOnVcpuThread(1);
        h.awaitHostWaiters(1);
        assertThat(h.apf.stats().outstanding()).isZero();
        assertThat(h.apf.recordedGfns()).isEmpty();
        h.source.release(page(1));
        assertThat(((Waited) get(f)).mode()).isEqualTo(WaitMode.SCHEDULE);
        assertThat(h.port.pageFaults).isEmpty();
        assertThat(h.flags()).isZero();
    }

    @Test
    void exceptionPendingFaultIsServedWithoutAToken() {   // C14: no async #PF on top of a pending exception
        HostFixture h = host(1);
        h.enableAndTakeWakeAll(0);
        h.port.exceptionPending = true;
        Future<HostFaultResult> f = h.faultOnVcpuThread(1);
        h.awaitHostWaiters(1);
        h.source.release(page(1));
        assertThat(get(f)).isInstanceOf(Waited.class);
        assertThat(h.port.pageFaults).isEmpty();
    }

    @Test
    void kernelModeFaultWithoutSendAlwaysWaitsInTheHostAndNeverSendsReady() {   // C4, C10
        HostFixture h = host(1);
        h.enableAndTakeWakeAll(0);
        h.port.cpl = 0;
        Future<HostFaultResult> f = h.faultOnVcpuThread(5);
        h.awaitHostWaiters(1);
        assertThat(h.apf.recordedGfns()).as("queued work with its gfn").containsExactly(page(5) >>> 12);
        h.source.release(page(5));
        Waited w = (Waited) get(f);
        assertThat(w.mode()).isEqualTo(WaitMode.SCHEDULE);
        assertThat(w.outcome()).isIn(WaitOutcome.WOKEN, WaitOutcome.ALREADY_WOKEN);
        h.apf.beforeEntry();
        assertThat(h.port.interrupts).as("no ready for a not-present that was never injected").isEmpty();
        assertThat(h.slotToken()).isZero();
        assertThat(h.apf.recordedGfns()).isEmpty();
        assertThat(h.apf.stats().outstanding()).isZero();
        assertThat(h.apf.stats().syncFaults()).isEqualTo(1);
        h.apf.checkInvariants();
    }

    @Test
    void sendAlwaysDeliversKernelModeFaults() {
        HostFixture h = host(1);
        h.enableAndTakeWakeAll(EN_SEND_ALWAYS);
        h.port.cpl = 0;
        assertThat(h.fault(5)).isInstanceOf(Injected.class);
    }

    @Test
    void pagingOffIsNotDeliveredAndCompletionsSurviveThePagingToggle() {   // C20, the 2025 behaviour
        HostFixture h = host(1);
        h.enableAndTakeWakeAll(0);
        int t = injectedToken(h.fault(1));
        h.port.pagingEnabled = false;   // e.g. SMM or a real-mode foray
        Future<HostFaultResult> f = h.faultOnVcpuThread(2);
        h.awaitHostWaiters(1);
        assertThat(h.port.pageFaults).as("nothing injected without paging").hasSize(1);
        h.source.release(page(1));
        h.source.release(page(2));
        get(f);
        await(() -> h.apf.doneCount() == 2, "both completions kept");
        h.port.pagingEnabled = true;
        h.apf.beforeEntry();
        assertThat(h.slotToken()).as("the ready of the fault before the toggle is not lost").isEqualTo(t);
    }

    // ---- C19 cancellation, reset, close ----

    @Test
    void disableWithWorkQueuedAndDoneDropsItSilently() {
        HostFixture h = host(1);
        h.enableAndTakeWakeAll(0);
        h.fault(1);
        h.fault(2);
        h.fault(3);
        h.source.release(page(1));
        h.awaitCompletions();   // 1 done, 2 and 3 queued
        h.apf.writeMsr(MSR_ASYNC_PF_EN, 0);
        assertThat(h.apf.isEnabled()).isFalse();
        assertThat(h.apf.stats().outstanding()).isZero();
        assertThat(h.apf.stats().cancelled()).isEqualTo(3);
        assertThat(h.apf.recordedGfns()).isEmpty();
        h.apf.checkInvariants();
        int kicks = h.port.kicks.get();
        h.source.release(page(2));
        h.source.release(page(3));
        // a fetch already running finishes unheard; one still queued was cancelled and never reads its page
        await(() -> h.service.pendingFetches() == 0, "fetches finished or cancelled");
        h.apf.beforeEntry();
        assertThat(h.port.interrupts).as("no event after disable").isEmpty();
        assertThat(h.apf.hasCompletions()).isFalse();
        assertThat(h.port.kicks.get()).isEqualTo(kicks);
        // the guest copes through the wake-all of the next enable
        h.enable(0);
        h.apf.beforeEntry();
        assertThat(h.slotToken()).isEqualTo(WAKE_ALL_TOKEN);
    }

    @Test
    void disableWhileAReadyIsInFlightDoesNotBlockTheNextEnable() {
        HostFixture h = host(1);
        h.enableAndTakeWakeAll(0);
        h.fault(1);
        h.source.release(page(1));
        h.awaitCompletions();
        h.apf.beforeEntry();
        assertThat(h.apf.pageReadyPending()).isTrue();
        h.apf.writeMsr(MSR_ASYNC_PF_EN, 0);   // a guest going offline never ACKs
        h.area().set(ValueLayout.JAVA_INT, 4, 0);
        h.enable(0);
        h.apf.beforeEntry();
        assertThat(h.slotToken()).isEqualTo(WAKE_ALL_TOKEN);
    }

    @Test
    void resetCancelsWorkAndZeroesTheMsrs() {
        HostFixture h = host(1);
        h.enableAndTakeWakeAll(0);
        h.fault(1);
        h.apf.reset();
        assertThat(h.apf.readMsr(MSR_ASYNC_PF_EN)).isZero();
        assertThat(h.apf.readMsr(MSR_ASYNC_PF_INT)).isZero();
        assertThat(h.apf.isEnabled()).isFalse();
        assertThat(h.apf.stats().outstanding()).isZero();
        assertThat(h.apf.stats().cancelled()).isEqualTo(1);
        assertThatThrownBy(() -> h.apf.writeMsr(MSR_ASYNC_PF_EN, h.areaAddress() | EN_ENABLED | EN_DELIVERY_AS_INT))
                .as("the vector is gone too").hasMessageContaining("MSR_KVM_ASYNC_PF_INT");
    }

    @Test
    void closeReleasesTheWaitingVcpuThreadAndLaterFaultsAreServedSynchronously() {
        HostFixture h = host(1);
        h.enableAndTakeWakeAll(0);
        h.port.cpl = 0;
        Future<HostFaultResult> f = h.faultOnVcpuThread(1);
        h.awaitHostWaiters(1);
        h.apf.close();
        assertThat(((Waited) get(f)).outcome()).isEqualTo(WaitOutcome.RELEASED);
        assertThat(h.apf.isEnabled()).isFalse();
        assertThat(h.service.attached()).isEmpty();
        h.source.release(page(2));
        assertThat(h.fault(2)).as("served on the caller's thread").isInstanceOf(Present.class);
        assertThat(h.memory.memory().isPresent(page(2))).isTrue();
        h.apf.close();   // idempotent
    }

    @Test
    void serviceDeactivationClosesEveryAttachedVcpu() {
        HostFixture h = host(1);
        h.enableAndTakeWakeAll(0);
        h.port.interruptsAllowed = false;
        Future<HostFaultResult> f = h.faultOnVcpuThread(1);
        h.awaitHostWaiters(1);
        h.service.deactivate();
        assertThat(((Waited) get(f)).outcome()).isEqualTo(WaitOutcome.RELEASED);
        assertThatThrownBy(() -> h.service.attach(h.port)).isInstanceOf(IllegalStateException.class).hasMessageContaining("stopping");
    }

    @Test
    void foreignVcpusAndMmioAreRefused() {
        HostFixture h = host(1);
        assertThatThrownBy(() -> h.apf.handle(new HostFault(2, page(1), 0, false, false))).hasMessageContaining("vCPU 2");
        assertThatThrownBy(() -> h.apf.handle(new HostFault(1, 0x7000_0000L, 0, false, false))).hasMessageContaining("MMIO");
    }

    @Test
    void configChangesResizeThePoolAndBadValuesAreIgnored() {
        HostFixture h = host(1);
        h.service.modified(HostFixture.config(6));
        assertThat(h.service.fetchThreads()).isEqualTo(6);
        h.service.modified(HostFixture.config(0));
        assertThat(h.service.fetchThreads()).isEqualTo(6);
        h.service.modified(HostFixture.config(1));
        assertThat(h.service.fetchThreads()).isEqualTo(1);
    }

    @Test
    void aValueThatIsNotANumberIsReportedAndIgnored() {
        HostFixture h = host(1);
        h.service.modified(HostFixture.config("3"));
        assertThat(h.service.fetchThreads()).as("a .cfg file gives strings").isEqualTo(3);
        h.service.modified(HostFixture.config("many"));
        assertThat(h.service.fetchThreads()).isEqualTo(3);
        h.service.modified(java.util.Map.of("fetch.thread", 5));
        assertThat(h.service.fetchThreads()).as("a misspelt key").isEqualTo(3);
    }

    // ---- two vCPUs, one page ----

    @Test
    void twoVcpusFaultingOnOnePageEachGetTheirOwnTokenAndReady() throws Exception {
        HostFixture h = host(1);
        h.enableAndTakeWakeAll(0);
        TestPort port2 = new TestPort(2, h.memory.memory());
        VcpuAsyncPf other = (VcpuAsyncPf) h.service.attach(port2);
        other.writeMsr(MSR_ASYNC_PF_INT, VECTOR);
        other.writeMsr(MSR_ASYNC_PF_EN, ArenaGuestMemory.area(2) | EN_ENABLED | EN_DELIVERY_AS_INT);
        other.beforeEntry();
        h.memory.memory().slice(ArenaGuestMemory.area(2), 64).set(ValueLayout.JAVA_INT, 4, 0);
        other.writeMsr(MSR_ASYNC_PF_ACK, 1);
        int t1 = injectedToken(h.fault(8));
        int t2 = injectedToken(other.handle(new HostFault(2, page(8), 0, false, false)));
        assertThat(t1 & 0xFFF).isEqualTo(1);
        assertThat(t2 & 0xFFF).isEqualTo(2);
        h.source.release(page(8));
        h.awaitCompletions();
        await(other::hasCompletions, "vCPU 2 completion");
        assertThat(h.source.reads()).as("the page is read once").isEqualTo(1);
        h.apf.beforeEntry();
        other.beforeEntry();
        assertThat(h.slotToken()).isEqualTo(t1);
        assertThat(h.memory.memory().slice(ArenaGuestMemory.area(2), 64).get(ValueLayout.JAVA_INT, 4)).isEqualTo(t2);
        assertThat(port2.interrupts).containsExactly(VECTOR, VECTOR);
    }

    private static HostFaultResult get(Future<HostFaultResult> f) {
        try {
            return f.get(10, SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the vCPU thread did not return", e);
        }
    }

}
