package org.paravane.vmm.linux.fs;

import java.nio.ByteBuffer;
import java.util.random.RandomGenerator;

/** The memory devices of {@code /dev}: null, zero, random and urandom (both never block). */
final class DeviceFile implements Node.OpenableFile {
    enum Kind {
        NULL(3), ZERO(5), RANDOM(8), URANDOM(9);

        final int minor;

        Kind(int minor) {
            this.minor = minor;
        }
    }

    private final Kind kind;
    private final RandomGenerator random;
    private final long dev, ino;

    DeviceFile(Kind kind, RandomGenerator random, long dev, long ino) {
        this.kind = kind;
        this.random = random;
        this.dev = dev;
        this.ino = ino;
    }

    @Override
    public Stat stat() {
        return new Stat(dev, ino, Fcntl.S_IFCHR | 0666, 1, 0, 0, Stat.makedev(1, kind.minor), 0, 4096, 0, 0, 0, 0);
    }

    @Override
    public FileContents open(int flags) {
        return new FileContents() {
            @Override
            public int read(ByteBuffer dst, long position) {
                int n = dst.remaining();
                switch (kind) {
                    case NULL -> {
                        return 0;
                    }
                    case ZERO -> dst.put(new byte[n]);
                    case RANDOM, URANDOM -> {
                        byte[] bytes = new byte[n];
                        synchronized (random) {
                            random.nextBytes(bytes);
                        }
                        dst.put(bytes);
                    }
                }
                return n;
            }

            @Override
            public int write(ByteBuffer src, long position) {
                int n = src.remaining();
                src.position(src.limit());
                return n;
            }

            /** Linux lets these seek (the position stays 0 for null and zero). */
            @Override
            public boolean seekable() {
                return true;
            }
        };
    }
}
