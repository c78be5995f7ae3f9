/**
 * Names of files that run when opened: programs, installers and scripts.
 * The window asks before opening one a peer shared.
 */
const programExtensions = new Set([
  'exe', 'msi', 'msix', 'appx', 'bat', 'cmd', 'com', 'scr', 'pif', 'cpl', 'msc', 'hta', 'lnk', 'reg', 'vbs', 'vbe', 'js', 'jse', 'wsf', 'wsh', 'ps1', 'psm1',
  'jar', 'app', 'dmg', 'pkg', 'command', 'workflow', 'deb', 'rpm', 'appimage', 'run', 'sh', 'bash', 'zsh', 'csh', 'py', 'pyw', 'pl', 'rb', 'php', 'desktop',
])

const programTypes = ['application/x-msdownload', 'application/x-executable', 'application/x-elf', 'application/x-mach-binary', 'application/x-sh', 'text/x-shellscript', 'application/x-ms-installer']

/** Whether opening the file could run it. */
export function isProgram(name: string, mime: string): boolean {
  const dot = name.lastIndexOf('.')
  const ext = dot >= 0 ? name.slice(dot + 1).toLowerCase() : ''
  return programExtensions.has(ext) || programTypes.includes(mime.toLowerCase())
}
