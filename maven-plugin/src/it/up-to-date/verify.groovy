// Build 1 compiles the model, build 2 (after clean: no target/classes) finds it up to date yet the
// application still compiles against the generated source and gets the weights, build 3 compiles
// it again because the memory mode changed.
def log = new File(basedir, 'build.log').text
def compiled = 'Kiln: small_convnet.json -> com.example.models.SmallConvnet (java;'
def upToDate = 'Kiln: small_convnet.json is up to date (com.example.models.SmallConvnet)'
int first = log.indexOf(compiled)
assert first >= 0
int second = log.indexOf(upToDate, first)
assert second > first
int third = log.indexOf(compiled, second)
assert third > second
assert log.count(compiled) == 2
assert log.count(upToDate) == 1

assert new File(basedir, 'target/classes/com/example/models/SmallConvnet.class').isFile()
assert new File(basedir, 'target/classes/com/example/models/SmallConvnet.weights').isFile()
assert new File(basedir, 'generated/kiln/stamps/com.example.models.SmallConvnet.stamp').text
    .contains('\nmemoryMode=low\n')

def runtime = new File(localRepositoryPath, "dev/kiln/kiln-runtime-min/${kilnVersion}/kiln-runtime-min-${kilnVersion}.jar")
def loader = new URLClassLoader([new File(basedir, 'target/classes').toURI().toURL(), runtime.toURI().toURL()] as URL[],
    ClassLoader.getPlatformClassLoader())
float[] p = loader.loadClass('com.example.App').getMethod('classify').invoke(null)
assert Math.abs(p[0] - 0.44026262f) < 1e-5
return true
