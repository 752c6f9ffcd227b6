# Sourced by build.sh and fuzz.sh: ccache (when installed) keeps compiled objects between builds and
# clean clones, so a second clean build of the same sources compiles nothing. Sets `launcher` (the CMake
# options for native compilers); em++ runs its clang through ccache too (EM_COMPILER_WRAPPER). Paths
# are taken relative to the clone (CCACHE_BASEDIR, CCACHE_NOHASHDIR), so a clone elsewhere hits too.
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  export EM_COMPILER_WRAPPER=ccache
fi
export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=1
