# recfeed build entry point for Windows (and any machine with PowerShell 7); mirrors build.sh.
#   ./build.ps1          publish the Native AOT binary to artifacts/recfeed(.exe)
#   ./build.ps1 run      publish, generate a 1,000,000-user demo file if missing, serve it on http://127.0.0.1:8080
#   ./build.ps1 test     publish, run every test once per transport (epoll, sockets)
param([ValidateSet('publish', 'run', 'test')][string]$Command = 'publish')
$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot
$env:DOTNET_NOLOGO = '1'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'

$rid = [System.Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier
$exe = if ($IsWindows) { 'recfeed.exe' } else { 'recfeed' }
$binary = Join-Path 'artifacts' $exe

function Invoke-Checked([string]$File, [string[]]$Arguments) {
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$File $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

function Publish {
    Invoke-Checked dotnet @('publish', 'src/RecFeed/RecFeed.csproj', '-c', 'Release', '-r', $rid, '-o', 'artifacts/publish', '-p:TreatWarningsAsErrors=true')
    Copy-Item (Join-Path 'artifacts/publish' $exe) $binary -Force
    Write-Host "published $binary"
}

switch ($Command) {
    'publish' { Publish }
    'test' {
        Publish
        $env:RECFEED_BIN = (Resolve-Path $binary).Path
        foreach ($transport in 'epoll', 'sockets') {
            Write-Host "== tests on the $transport transport"
            $env:RECFEED_TRANSPORT = $transport
            Invoke-Checked dotnet @('test', 'RecFeed.sln', '-c', 'Release', '--logger', 'console;verbosity=normal')
        }
    }
    'run' {
        Publish
        $data = 'artifacts/demo/feeds.bin'
        if (-not (Test-Path $data)) {
            New-Item -ItemType Directory -Force 'artifacts/demo' | Out-Null
            Invoke-Checked $binary @('generate', '--users', '1000000', '--out', $data)
        }
        Write-Host "try: curl 'http://127.0.0.1:8080/feed/42?size=5'"
        & $binary serve --data $data --urls http://127.0.0.1:8080
        exit $LASTEXITCODE
    }
}
