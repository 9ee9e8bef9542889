package org.paravane.vmm.linux.fs;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import org.paravane.vmm.linux.Errno;
import org.paravane.vmm.linux.ErrnoException;

/** Host I/O failures as the errno the guest would have seen from Linux. */
final class HostErrors {
    private HostErrors() {
    }

    static ErrnoException of(IOException e, String what) {
        int errno = switch (e) {
            case NoSuchFileException x -> Errno.ENOENT;
            case FileAlreadyExistsException x -> Errno.EEXIST;
            case DirectoryNotEmptyException x -> Errno.ENOTEMPTY;
            case AccessDeniedException x -> Errno.EACCES;
            case NotDirectoryException x -> Errno.ENOTDIR;
            case FileSystemLoopException x -> Errno.ELOOP;
            case FileSystemException x when reason(x).contains("Read-only file system") -> Errno.EROFS;
            case FileSystemException x when reason(x).contains("Too many levels of symbolic links") -> Errno.ELOOP;
            case FileSystemException x when reason(x).contains("Not a directory") -> Errno.ENOTDIR;
            case FileSystemException x when reason(x).contains("Is a directory") -> Errno.EISDIR;
            case FileSystemException x when reason(x).contains("No space left") -> Errno.ENOSPC;
            default -> Errno.EIO;
        };
        return new ErrnoException(errno, what + ": " + e.getMessage());
    }

    private static String reason(FileSystemException e) {
        return e.getReason() == null ? "" : e.getReason();
    }
}
