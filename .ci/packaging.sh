#!/usr/bin/env bash
# The packages as a user meets them, run by .ci/run:
#   1. `dotnet pack` every shipped project into a temporary folder, and check each package holds what it should;
#   2. a fresh console project outside the repository references Jetstream.Reactive and Jetstream.Reactive.Testing by
#      id and version through a temporary nuget.config that adds that folder (the machine's default feeds still
#      apply), runs the README's quick start against the emulator, and must print the posts it sends;
#   3. the tool installs from that folder into a temporary tool path; `jetstream --version` and
#      `jetstream demo --duration 3s` must work;
#   4. the CLI publishes as a Native AOT binary, which must run `--version` and the demo the same way.
# Every failure prints one "packaging: FAILED …" line saying what broke, then the evidence, and exits 1.
# With JETSTREAM_AOT_OUT=<dir>, the AOT binary is left there (the benchmark smoke run times its cold start).
# No `producer | grep -q` under pipefail: grep leaving early kills the producer with SIGPIPE and fails the pipe.
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

fail() {
  echo "packaging: FAILED: $1" >&2
  shift
  for file in "$@"; do
    [ -s "$file" ] && { echo "---- $(basename "$file") (last 40 lines) ----" >&2; tail -n 40 "$file" >&2; }
  done
  exit 1
}
step() { echo "packaging: $*"; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
feed="$work/feed"
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -n 1)
[ -n "$version" ] || fail "no <Version> in Directory.Build.props"

# ---- 1. pack -------------------------------------------------------------------------------------------------------
# Every project under src/ (those with IsPackable=false make nothing); the test projects are not built for this.
step "dotnet pack (version $version) into a temporary folder"
for project in src/*/*.csproj; do
  dotnet pack "$project" -c Release -o "$feed" >>"$work/pack.log" 2>&1 || fail "dotnet pack $project failed" "$work/pack.log"
done

# The four that must exist, and whatever other package a shipped project adds: each gets the same checks.
ids="Jetstream.Reactive Jetstream.Reactive.Testing Jetstream.Reactive.Hosting Jetstream.Cli"
for nupkg in "$feed"/*.nupkg; do
  id=$(basename "$nupkg" ".$version.nupkg")
  grep -qw -- "$id" <<<"$ids" || ids="$ids $id"
done
for id in $ids; do
  nupkg="$feed/$id.$version.nupkg"
  [ -f "$nupkg" ] || fail "dotnet pack made no $id.$version.nupkg (made: $(ls "$feed" | tr '\n' ' '))"
  [ -f "$feed/$id.$version.snupkg" ] || fail "no symbol package $id.$version.snupkg beside $id.$version.nupkg"
  listing=$(unzip -l "$nupkg") || fail "$nupkg is not a readable zip"
  nuspec=$(unzip -p "$nupkg" "$id.nuspec") || fail "$nupkg has no $id.nuspec"
  for field in "<description>" "<authors>" "<license type=\"expression\">MIT</license>" "<tags>" "<readme>README.md</readme>"; do
    grep -qF "$field" <<<"$nuspec" || fail "$id.nuspec lacks $field"
  done
  grep -q " README.md$" <<<"$listing" || fail "$id's package has no README.md"
  if [ "$id" = Jetstream.Cli ]; then
    grep -q 'Name="jetstream"' <<<"$(unzip -p "$nupkg" tools/net10.0/any/DotnetToolSettings.xml)" || fail "Jetstream.Cli is not a .NET tool with the command 'jetstream'"
  else
    grep -q "lib/net10.0/$id.dll$" <<<"$listing" || fail "$id's package has no lib/net10.0/$id.dll"
    grep -q "lib/net10.0/$id.xml$" <<<"$listing" || fail "$id's package has no XML documentation (lib/net10.0/$id.xml)"
    grep -q "lib/net10.0/$id.pdb$" <<<"$(unzip -l "$feed/$id.$version.snupkg")" || fail "$id.$version.snupkg has no $id.pdb"
  fi
  step "  $id.$version.nupkg $(stat -c %s "$nupkg") bytes, .snupkg $(stat -c %s "$feed/$id.$version.snupkg") bytes"
done

# A package source of our own, and a package folder of our own: restore must take Jetstream.* from this run's packs,
# never from a cache that an earlier run of the same version filled. Other packages come from the default feeds.
cat >"$work/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="jetstream-local-pack" value="$feed" />
  </packageSources>
</configuration>
EOF
export NUGET_PACKAGES="$work/nuget-packages"

# ---- 2. a consumer's project ---------------------------------------------------------------------------------------
app="$work/consumer"
mkdir -p "$app"
cp "$work/nuget.config" "$app/nuget.config"
cat >"$app/Consumer.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Jetstream.Reactive" Version="$version" />
    <PackageReference Include="Jetstream.Reactive.Testing" Version="$version" />
  </ItemGroup>
</Project>
EOF

# The README's quick start, as a user copies it, pointed at the emulator the Testing package ships.
quick=$(awk '/<!-- snippet: quick-start -->/{s=1; next} s && /^```csharp/{c=1; next} c && /^```/{exit} c' README.md)
grep -q "JetstreamObservable" <<<"$quick" || fail "could not find the quick start (<!-- snippet: quick-start -->) in README.md"
grep -q "new JetstreamOptions { " <<<"$quick" || fail "the README's quick start no longer builds 'new JetstreamOptions { … }'; update .ci/packaging.sh to point it at the emulator"
{
  echo 'using System.Reactive.Linq;'
  echo 'using Jetstream.Reactive;'
  echo 'using Jetstream.Reactive.Testing;'
  echo
  echo 'await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions { Events = JetstreamEventSource.BundledRealEvents });'
  sed 's/new JetstreamOptions { /new JetstreamOptions { Endpoint = server.Uri, /' <<<"$quick"
} >"$app/Program.cs"

step "consumer project outside the repository: restore and build against the packages"
(cd "$app" && dotnet build -c Release >"$work/consumer-build.log" 2>&1) || fail "the consumer project did not build against the packages" "$work/consumer-build.log" "$app/Program.cs"
[ -f "$NUGET_PACKAGES/jetstream.reactive/$version/jetstream.reactive.nuspec" ] || fail "Jetstream.Reactive $version was not restored from the packed folder"

# The quick start reads a line to stop: keep its standard input open until the posts arrive, then send the line.
step "consumer: run the quick start against the emulator"
expected_posts=5
mkfifo "$work/stdin"
dotnet "$app/bin/Release/net10.0/Consumer.dll" <"$work/stdin" >"$work/consumer.out" 2>"$work/consumer.err" &
consumer=$!
exec 9>"$work/stdin"
deadline=$((SECONDS + 60))
posts=0
while [ $SECONDS -lt $deadline ] && kill -0 "$consumer" 2>/dev/null; do
  posts=$(grep -c '^did:[a-z]*:[^ ]* posted [^ ]*$' "$work/consumer.out")
  [ "$posts" -ge "$expected_posts" ] && break
  sleep 0.2
done
echo >&9
exec 9>&-
# Bounded: a quick start that does not stop after its line must fail CI, not hang it.
stop_deadline=$((SECONDS + 30))
while kill -0 "$consumer" 2>/dev/null && [ $SECONDS -lt $stop_deadline ]; do sleep 0.2; done
if kill -0 "$consumer" 2>/dev/null; then
  kill -9 "$consumer" 2>/dev/null
  wait "$consumer" 2>/dev/null
  fail "the quick start did not exit within 30 s of its input line" "$work/consumer.err" "$work/consumer.out"
fi
wait "$consumer"
consumer_status=$?
posts=$(grep -c '^did:[a-z]*:[^ ]* posted [^ ]*$' "$work/consumer.out")
[ "$consumer_status" -eq 0 ] || fail "the quick start exited with $consumer_status" "$work/consumer.err" "$work/consumer.out"
[ "$posts" -ge "$expected_posts" ] || fail "the quick start printed $posts posts from the emulator within 60 s; expected at least $expected_posts" "$work/consumer.err" "$work/consumer.out"
[ -s "$work/consumer.err" ] && fail "the quick start wrote to standard error" "$work/consumer.err"
step "  the quick start printed $posts posts, e.g. '$(head -n 1 "$work/consumer.out")'"

# ---- 3. the tool ---------------------------------------------------------------------------------------------------
check_cli() { # name, command...
  local name=$1
  shift
  local out="$work/$name"
  # Appending to a file the shell also writes: the version line must survive (a CLI writing at offset 0 loses it).
  { echo "before"; "$@" --version; echo "after"; } >"$out.version" 2>&1 || fail "$name --version exited non-zero" "$out.version"
  [[ "$(sed -n 2p "$out.version")" == "$version"* ]] || fail "$name --version printed '$(sed -n 2p "$out.version")', expected $version…" "$out.version"
  [ "$(sed -n 3p "$out.version")" = after ] || fail "$name --version's output does not sit between the shell's lines" "$out.version"
  step "  $name --version: $(sed -n 2p "$out.version")"
  timeout 60 "$@" demo --duration 3s --interval 1s </dev/null >"$out.demo" 2>"$out.demo.err"
  local status=$?
  [ "$status" -eq 0 ] || fail "$name demo --duration 3s exited with $status" "$out.demo.err" "$out.demo"
  local total
  total=$(grep -o '│ all *│ *[0-9]* *│' "$out.demo" | tail -n 1 | grep -o '[0-9][0-9]*' | head -n 1)
  [ "${total:-0}" -gt 0 ] || fail "$name demo counted no events" "$out.demo" "$out.demo.err"
  step "  $name demo --duration 3s: $total events counted"
}

step "dotnet tool install Jetstream.Cli $version into a temporary tool path"
dotnet tool install Jetstream.Cli --version "$version" --tool-path "$work/tools" --configfile "$work/nuget.config" >"$work/tool-install.log" 2>&1 \
  || fail "dotnet tool install Jetstream.Cli $version failed" "$work/tool-install.log"
[ -x "$work/tools/jetstream" ] || fail "the tool installed no 'jetstream' command" "$work/tool-install.log"
check_cli "jetstream (tool)" "$work/tools/jetstream"
unset NUGET_PACKAGES

# ---- 4. Native AOT -------------------------------------------------------------------------------------------------
# The ILCompiler links with clang and needs zlib's headers (Debian: clang, zlib1g-dev).
if ! command -v clang >/dev/null 2>&1 || { command -v dpkg >/dev/null 2>&1 && ! dpkg -s zlib1g-dev >/dev/null 2>&1; }; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
    step "installing clang and zlib1g-dev for Native AOT (apt-get)"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang zlib1g-dev; } >"$work/apt.log" 2>&1 \
      || fail "could not install clang and zlib1g-dev, which Native AOT needs" "$work/apt.log"
  else
    fail "Native AOT needs clang and zlib's headers (Debian/Ubuntu: apt-get install clang zlib1g-dev); install them and run again"
  fi
fi

case "$(uname -m)" in
  x86_64) rid=linux-x64 ;;
  aarch64 | arm64) rid=linux-arm64 ;;
  *) fail "no Native AOT runtime identifier known for $(uname -m)" ;;
esac
aot="${JETSTREAM_AOT_OUT:-$work/aot}"
step "dotnet publish src/Jetstream.Cli -r $rid (Native AOT)"
started=$SECONDS
dotnet publish src/Jetstream.Cli/Jetstream.Cli.csproj -c Release -r "$rid" -o "$aot" >"$work/aot.log" 2>&1 || fail "the Native AOT publish of the CLI failed" "$work/aot.log"
[ -x "$aot/jetstream" ] || fail "the Native AOT publish made no $aot/jetstream" "$work/aot.log"
if grep -qE "warning (IL|AOT)[0-9]+" "$work/aot.log"; then fail "the Native AOT publish reported trim/AOT warnings" "$work/aot.log"; fi
step "  $aot/jetstream: $(stat -c %s "$aot/jetstream") bytes, published in $((SECONDS - started)) s"
check_cli "jetstream (Native AOT)" "$aot/jetstream"

step "OK"
