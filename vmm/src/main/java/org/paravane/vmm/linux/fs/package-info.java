/**
 * The file system a Linux guest process sees, as pure Java the system calls call into: {@code /} is an in-memory
 * layer over a host directory the user names (the host is never written through it), {@code /tmp} is always
 * writable, {@code /dev} and {@code /proc/self} are synthesised, host directories or files can be bind-mounted.
 * Path lookup follows Linux's rules one component at a time in the guest's namespace, so a guest reaches no host
 * path it was not given. {@link org.paravane.vmm.linux.fs.FileSystem} is the VM's view,
 * {@link org.paravane.vmm.linux.fs.ProcessFiles} a process's calls on it (cwd, umask, descriptors).
 */
package org.paravane.vmm.linux.fs;
