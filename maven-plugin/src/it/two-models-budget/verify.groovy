// Both models compiled, the one in extra/ into the subpackage under its configured name; the budget
// and the per-model memory mode reached the compile options (the stamps record them) and the model
// under the budget fits it.
def sources = new File(basedir, 'target/generated-sources/kiln/com/example/models')
assert new File(sources, 'SmallConvnet.java').isFile()
assert new File(sources, 'extra/Mlp.java').isFile()
assert !new File(sources, 'extra/TinyMlp.java').exists()

def stamps = new File(basedir, 'target/kiln/stamps')
def convnetStamp = new File(stamps, 'com.example.models.SmallConvnet.stamp').text
assert convnetStamp.contains('\nmemoryBudget=1048576\n')
assert convnetStamp.contains('\nmemoryMode=\n')
def mlpStamp = new File(stamps, 'com.example.models.extra.Mlp.stamp').text
assert mlpStamp.contains('\nmemoryBudget=\n')
assert mlpStamp.contains('\nmemoryMode=low\n')

def log = new File(basedir, 'build.log').text
assert log.contains('Kiln: small_convnet.json -> com.example.models.SmallConvnet (java;')
assert log.contains('Kiln: extra/tiny_mlp.json -> com.example.models.extra.Mlp (java;')

def runtime = new File(localRepositoryPath, "dev/kiln/kiln-runtime-min/${kilnVersion}/kiln-runtime-min-${kilnVersion}.jar")
def loader = new URLClassLoader([new File(basedir, 'target/classes').toURI().toURL(), runtime.toURI().toURL()] as URL[],
    ClassLoader.getPlatformClassLoader())
def app = loader.loadClass('com.example.App')

float[] p = app.getMethod('convnet').invoke(null)
float[] expectedP = [0.44026262f, 0.42939246f, 0.1303449f]
for (int i = 0; i < 3; i++) {
  assert Math.abs(p[i] - expectedP[i]) < 1e-5 : "convnet ${i}: ${p[i]} != ${expectedP[i]}"
}
float[] s = app.getMethod('mlp').invoke(null)
float[] expectedS = [5.4f, -1.1f]
for (int i = 0; i < 2; i++) {
  assert Math.abs(s[i] - expectedS[i]) < 1e-5 : "mlp ${i}: ${s[i]} != ${expectedS[i]}"
}
long bytes = app.getMethod('convnetBytes').invoke(null)
assert bytes <= 1048576 : "SmallConvnet holds ${bytes} bytes, over its 1 MiB budget"
return true
