// The Java twin of scheduler.tes: the same task scheduler (Richards),
// class for class, with the same harness output.
import java.util.Arrays;

public final class Scheduler {
    static final int ID_IDLE = 0, ID_WORKER = 1, ID_HANDLER_A = 2, ID_HANDLER_B = 3, ID_DEVICE_A = 4, ID_DEVICE_B = 5;
    static final int NUMBER_OF_IDS = 6;
    static final int KIND_DEVICE = 0, KIND_WORK = 1;
    static final int DATA_SIZE = 4;
    static final int IDLE_COUNT = 10000, EXPECTED_QUEUE_COUNT = 23246, EXPECTED_HOLD_COUNT = 9297;
    static final int STATE_RUNNING = 0, STATE_RUNNABLE = 1, STATE_SUSPENDED = 2, STATE_HELD = 4, STATE_SUSPENDED_RUNNABLE = 3;

    static final class Packet {
        Packet link;
        int id;
        final int kind;
        int a1 = 0;
        final long[] a2 = new long[DATA_SIZE];

        Packet(Packet link, int id, int kind) {
            this.link = link;
            this.id = id;
            this.kind = kind;
        }

        Packet addTo(Packet queue) {
            link = null;
            if (queue == null) return this;
            Packet next = queue;
            Packet peek = next.link;
            while (peek != null) {
                next = peek;
                peek = next.link;
            }
            next.link = this;
            return queue;
        }
    }

    static class Task {
        final Scheduler scheduler;
        Task(Scheduler scheduler) { this.scheduler = scheduler; }
        TaskControlBlock run(Packet packet) { return null; }
    }

    static final class IdleTask extends Task {
        long v1;
        long count;
        IdleTask(Scheduler s, long v1, long count) { super(s); this.v1 = v1; this.count = count; }

        @Override TaskControlBlock run(Packet packet) {
            count -= 1;
            if (count == 0) return scheduler.holdCurrent();
            if ((v1 & 1) == 0) {
                v1 = v1 >> 1;
                return scheduler.release(ID_DEVICE_A);
            }
            v1 = (v1 >> 1) ^ 0xD008;
            return scheduler.release(ID_DEVICE_B);
        }
    }

    static final class DeviceTask extends Task {
        Packet pending = null;
        DeviceTask(Scheduler s) { super(s); }

        @Override TaskControlBlock run(Packet packet) {
            if (packet == null) {
                Packet v = pending;
                if (v == null) return scheduler.suspendCurrent();
                pending = null;
                return scheduler.queue(v);
            }
            pending = packet;
            return scheduler.holdCurrent();
        }
    }

    static final class WorkerTask extends Task {
        int destination;
        long count;
        WorkerTask(Scheduler s, int destination, long count) { super(s); this.destination = destination; this.count = count; }

        @Override TaskControlBlock run(Packet packet) {
            if (packet == null) return scheduler.suspendCurrent();
            destination = destination == ID_HANDLER_A ? ID_HANDLER_B : ID_HANDLER_A;
            packet.id = destination;
            packet.a1 = 0;
            for (int i = 0; i < DATA_SIZE; i++) {
                count += 1;
                if (count > 26) count = 1;
                packet.a2[i] = count;
            }
            return scheduler.queue(packet);
        }
    }

    static final class HandlerTask extends Task {
        Packet work = null;
        Packet devices = null;
        HandlerTask(Scheduler s) { super(s); }

        @Override TaskControlBlock run(Packet packet) {
            if (packet != null) {
                if (packet.kind == KIND_WORK) work = packet.addTo(work);
                else devices = packet.addTo(devices);
            }
            Packet w = work;
            if (w != null) {
                int count = w.a1;
                if (count < DATA_SIZE) {
                    Packet device = devices;
                    if (device != null) {
                        devices = device.link;
                        device.a1 = (int) w.a2[count];
                        w.a1 = count + 1;
                        return scheduler.queue(device);
                    }
                } else {
                    work = w.link;
                    return scheduler.queue(w);
                }
            }
            return scheduler.suspendCurrent();
        }
    }

    static final class TaskControlBlock {
        final TaskControlBlock link;
        final int id;
        final int priority;
        Packet queue;
        final Task task;
        int state;

        TaskControlBlock(TaskControlBlock link, int id, int priority, Packet queue, Task task) {
            this.link = link;
            this.id = id;
            this.priority = priority;
            this.queue = queue;
            this.task = task;
            this.state = queue == null ? STATE_SUSPENDED : STATE_SUSPENDED_RUNNABLE;
        }

        void setRunning() { state = STATE_RUNNING; }
        void markAsNotHeld() { state = state & ~STATE_HELD; }
        void markAsHeld() { state = state | STATE_HELD; }
        boolean isHeldOrSuspended() { return (state & STATE_HELD) != 0 || state == STATE_SUSPENDED; }
        void markAsSuspended() { state = state | STATE_SUSPENDED; }
        void markAsRunnable() { state = state | STATE_RUNNABLE; }

        TaskControlBlock run() {
            Packet packet = null;
            if (state == STATE_SUSPENDED_RUNNABLE) {
                Packet p = queue;
                packet = p;
                queue = p.link;
                state = queue == null ? STATE_RUNNING : STATE_RUNNABLE;
            }
            return task.run(packet);
        }

        TaskControlBlock checkPriorityAdd(TaskControlBlock current, Packet packet) {
            if (queue == null) {
                queue = packet;
                markAsRunnable();
                if (priority > current.priority) return this;
            } else {
                queue = packet.addTo(queue);
            }
            return current;
        }
    }

    long queueCount = 0;
    long holdCount = 0;
    final TaskControlBlock[] blocks = new TaskControlBlock[NUMBER_OF_IDS];
    TaskControlBlock list = null;
    TaskControlBlock current = null;
    int currentId = 0;

    void addIdleTask(int id, int priority, Packet queue, long count) {
        addTask(id, priority, queue, new IdleTask(this, 1, count));
        current.setRunning();
    }
    void addWorkerTask(int id, int priority, Packet queue) { addTask(id, priority, queue, new WorkerTask(this, ID_HANDLER_A, 0)); }
    void addHandlerTask(int id, int priority, Packet queue) { addTask(id, priority, queue, new HandlerTask(this)); }
    void addDeviceTask(int id, int priority, Packet queue) { addTask(id, priority, queue, new DeviceTask(this)); }

    void addTask(int id, int priority, Packet queue, Task task) {
        TaskControlBlock tcb = new TaskControlBlock(list, id, priority, queue, task);
        current = tcb;
        list = tcb;
        blocks[id] = tcb;
    }

    void schedule() {
        current = list;
        while (current != null) {
            TaskControlBlock tcb = current;
            if (tcb.isHeldOrSuspended()) {
                current = tcb.link;
            } else {
                currentId = tcb.id;
                current = tcb.run();
            }
        }
    }

    TaskControlBlock release(int id) {
        TaskControlBlock t = blocks[id];
        if (t == null) return null;
        t.markAsNotHeld();
        if (t.priority > current.priority) return t;
        return current;
    }

    TaskControlBlock holdCurrent() {
        holdCount += 1;
        TaskControlBlock tcb = current;
        tcb.markAsHeld();
        return tcb.link;
    }

    TaskControlBlock suspendCurrent() {
        current.markAsSuspended();
        return current;
    }

    TaskControlBlock queue(Packet packet) {
        TaskControlBlock target = blocks[packet.id];
        if (target == null) return null;
        queueCount += 1;
        packet.link = null;
        packet.id = currentId;
        return target.checkPriorityAdd(current, packet);
    }

    static long runOnce() {
        Scheduler scheduler = new Scheduler();
        scheduler.addIdleTask(ID_IDLE, 0, null, IDLE_COUNT);
        Packet queue = new Packet(null, ID_WORKER, KIND_WORK);
        queue = new Packet(queue, ID_WORKER, KIND_WORK);
        scheduler.addWorkerTask(ID_WORKER, 1000, queue);
        queue = new Packet(null, ID_DEVICE_A, KIND_DEVICE);
        queue = new Packet(queue, ID_DEVICE_A, KIND_DEVICE);
        queue = new Packet(queue, ID_DEVICE_A, KIND_DEVICE);
        scheduler.addHandlerTask(ID_HANDLER_A, 2000, queue);
        queue = new Packet(null, ID_DEVICE_B, KIND_DEVICE);
        queue = new Packet(queue, ID_DEVICE_B, KIND_DEVICE);
        queue = new Packet(queue, ID_DEVICE_B, KIND_DEVICE);
        scheduler.addHandlerTask(ID_HANDLER_B, 3000, queue);
        scheduler.addDeviceTask(ID_DEVICE_A, 4000, null);
        scheduler.addDeviceTask(ID_DEVICE_B, 5000, null);
        scheduler.schedule();
        if (scheduler.queueCount != EXPECTED_QUEUE_COUNT || scheduler.holdCount != EXPECTED_HOLD_COUNT) {
            System.out.println("wrong counts: queue " + scheduler.queueCount + ", hold " + scheduler.holdCount);
            System.exit(1);
        }
        return scheduler.queueCount * 100000 + scheduler.holdCount;
    }

    static long benchmark(int inner) {
        long sum = 0;
        for (int i = 0; i < inner; i++) sum += runOnce();
        return sum;
    }

    public static void main(String[] args) {
        System.out.println("result: " + Harness.run(args, 10, Scheduler::benchmark));
    }
}
